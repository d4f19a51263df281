// The built-in Vietnamese thesaurus: the everyday words citizens type beside the administrative words
// the reports use. Written for this project and reviewed by reading. Each line is one group of phrases
// that mean the same thing for a question about local government; a question that uses one phrase of a
// group also searches for the others, at a lower weight than its own words. Admins add their own
// groups in the synonyms file (see synonyms.ts); the format is the same.
//
// Keep groups narrow: a word that belongs to two meanings ("đất" as land and as soil) should sit in the
// group of the meaning citizens ask about, and phrases rather than single syllables avoid most
// ambiguity ("trường học", not "trường").

/** The built-in groups, one per line, in the synonyms file's format (see the header above). */
export const BUILT_IN_THESAURUS = `
# Weaknesses, results, tasks
hạn chế, yếu kém, tồn tại, khuyết điểm, bất cập, thiếu sót, điểm yếu, nhược điểm, mặt yếu, có vấn đề, còn vấn đề, còn yếu kém, còn hạn chế
khó khăn, vướng mắc, trở ngại, thách thức
kết quả, thành tích, thành tựu, kết quả đạt được, làm được, đạt được, được gì, làm tốt, kết quả tích cực, mặt mạnh, điểm mạnh, ưu điểm
nhiệm vụ, công việc, việc cần làm, kế hoạch
phương hướng, định hướng, nhiệm vụ trọng tâm
giải pháp, biện pháp, cách làm
mục tiêu, chỉ tiêu, phấn đấu, kế hoạch đề ra
# Budget and economy
thu ngân sách, tiền thuế, thu thuế, nộp thuế, nguồn thu, thu ngân sách nhà nước
chi ngân sách, chi tiêu công, tiền chi
dự toán, kế hoạch thu, chỉ tiêu giao, so với kế hoạch, so với chỉ tiêu, đạt chỉ tiêu, hoàn thành chỉ tiêu
giá trị sản xuất, sản lượng, tăng trưởng kinh tế, tốc độ tăng trưởng, tăng trưởng, GDP, GRDP, kinh tế tăng, kinh tế
phát triển kinh tế, làm kinh tế, kinh tế, làm ăn, phát triển sản xuất, sản xuất
doanh nghiệp, công ty, cơ sở kinh doanh, hộ kinh doanh, nhà đầu tư, giới làm ăn, giới doanh nghiệp, giới kinh doanh
đối thoại, ngồi nói chuyện, nói chuyện, gặp gỡ, tiếp xúc, lắng nghe
thu hút đầu tư, kêu gọi đầu tư, mời gọi đầu tư, thu hút nhà đầu tư, kêu gọi nhà đầu tư, mời gọi nhà đầu tư, thu hút vốn, kéo nhà đầu tư, kéo đầu tư, hút đầu tư, hút vốn
thu hút, kêu gọi, mời gọi
khởi nghiệp, lập nghiệp, mở doanh nghiệp
hỗ trợ, giúp đỡ, hỗ trợ doanh nghiệp, tháo gỡ khó khăn
thương mại, buôn bán, kinh doanh, dịch vụ
chợ, chợ truyền thống, chợ dân sinh
du lịch, khách du lịch, điểm du lịch
nông nghiệp, làm nông, trồng trọt, chăn nuôi
công nghiệp, nhà máy, khu công nghiệp, cụm công nghiệp
thu nhập, lương, tiền lương, mức sống
cải cách tiền lương, tăng lương, nâng lương
tiết kiệm chi, cắt giảm chi tiêu, giảm chi tiêu, giảm chi, tiết kiệm chi tiêu
giá cả, vật giá, lạm phát
# Land, construction, urban
trật tự xây dựng, xây dựng trái phép, xây dựng không phép, xây nhà trái phép, xây nhà sai phép, xây sai phép, xây trái phép, xây không phép, vi phạm xây dựng, vi phạm trật tự xây dựng, lấn chiếm, lấn chiếm vỉa hè, trật tự đô thị, xây chui, nhà xây chui, xây dựng chui
tháo dỡ, đập bỏ, phá dỡ, dỡ bỏ, cưỡng chế tháo dỡ
quản lý đất đai, đất đai, đất, nhà đất, giấy tờ nhà đất, sổ đỏ, giấy chứng nhận quyền sử dụng đất
giải phóng mặt bằng, giải tỏa, đền bù, bồi thường, thu hồi đất, di dời
tái định cư, bố trí đất, nhà tái định cư
đô thị, thành phố, chỉnh trang đô thị, mỹ quan đô thị
giao thông, đường sá, đường xá, làm đường, con đường, cầu đường, hạ tầng giao thông, kẹt xe, ùn tắc
hạ tầng, cơ sở hạ tầng, kết cấu hạ tầng
nhà ở, chỗ ở, nhà cửa
dự án, công trình, công trình xây dựng
quy hoạch, kế hoạch sử dụng đất
ngập úng, ngập nước, ngập lụt, thoát nước
điện, chiếu sáng, đèn đường, điện chiếu sáng
nước sạch, cấp nước, nước máy
công viên, cây xanh, vườn hoa
# Environment
môi trường, vệ sinh môi trường, ô nhiễm, rác thải, xử lý rác, thu gom rác, rác
ô nhiễm, ô nhiễm môi trường, khói bụi, mùi hôi
phòng chống thiên tai, bão lụt, thiên tai, phòng chống lụt bão
# Security and order
an ninh trật tự, an ninh, trật tự an toàn xã hội, trật tự, công an, tội phạm, trộm cắp, an toàn xã hội, tệ nạn
an ninh chính trị, an ninh quốc gia
tiềm ẩn, nguy cơ, yếu tố phức tạp, phức tạp, bất ổn, chưa yên tâm, chưa yên
tội phạm, tội phạm hình sự, phạm pháp, trộm cướp
ma túy, nghiện, ma tuý
an toàn giao thông, tai nạn giao thông, tai nạn
an toàn lao động, tai nạn lao động
phòng cháy chữa cháy, cháy nổ, hỏa hoạn, PCCC
quốc phòng, quân sự, nghĩa vụ quân sự, tuyển quân, giao quân
thành phố 4 an, 4 an, bốn an
# Society
giáo dục, trường học, trường, học sinh, dạy học, nhà trường, giáo viên, thầy cô, đi học, học hành
trung học cơ sở, THCS, cấp 2, cấp hai, lớp 9
trung học phổ thông, THPT, cấp 3, cấp ba, lớp 12
tốt nghiệp, ra trường, học xong
học sinh, tụi nhỏ, con nít, các cháu, học trò
y tế, bệnh viện, trạm y tế, khám bệnh, sức khỏe, chữa bệnh, khám chữa bệnh
bảo hiểm y tế, BHYT, thẻ bảo hiểm
an toàn thực phẩm, vệ sinh an toàn thực phẩm, vệ sinh ăn uống, vệ sinh thực phẩm, ngộ độc thực phẩm
bảo hiểm xã hội, BHXH
dịch bệnh, bệnh dịch, sốt xuất huyết, dịch
văn hóa, văn nghệ, lễ hội, thể thao, thể dục thể thao
lao động, việc làm, tìm việc, giải quyết việc làm, người lao động, công ăn việc làm, lo việc làm, tạo việc làm
thất nghiệp, mất việc, không có việc làm
an sinh xã hội, chính sách xã hội, trợ cấp, hỗ trợ người nghèo, bảo trợ xã hội
hộ nghèo, giảm nghèo, người nghèo, nghèo, xóa đói giảm nghèo, cận nghèo
người có công, thương binh, liệt sĩ, gia đình chính sách
trẻ em, thiếu nhi, trẻ nhỏ
người cao tuổi, người già
dân số, số dân, nhân khẩu
# Government and the Party
cải cách hành chính, thủ tục hành chính, thủ tục, giấy tờ, một cửa, hồ sơ, rườm rà, phiền hà, hành chính
công nghệ thông tin, chuyển đổi số, ứng dụng công nghệ, chính quyền điện tử, dịch vụ công trực tuyến, tin học, tin học hóa, tin học hoá, máy tính, CNTT, số hóa, số hoá
cán bộ, công chức, viên chức, cán bộ công chức, CB-CC-VC, CBCCVC
địa phương, các phường, phường, phường xã, xã phường, các địa phương
tinh giản biên chế, giảm biên chế, sắp xếp bộ máy, tinh gọn bộ máy, tinh gọn, cắt giảm biên chế, giảm người ăn lương, cắt giảm công chức, sắp xếp lại bộ máy, cắt giảm nhân sự, giảm nhân sự, cắt bớt người, cắt bớt biên chế
xây dựng Đảng, công tác Đảng, chỉnh đốn Đảng, tổ chức Đảng, đảng viên
củng cố, kiện toàn, vững mạnh, lớn mạnh, trong sạch vững mạnh
hệ thống chính trị, chính quyền, bộ máy
Bí thư Quận ủy, bí thư, người đứng đầu Đảng bộ, người đứng đầu đảng ủy, người đứng đầu quận, lãnh đạo quận, đứng đầu, sếp, sếp lớn, lãnh đạo cao nhất, người lãnh đạo, chỉ huy
Chủ tịch UBND quận, chủ tịch quận, chủ tịch
Quận ủy, Quận uỷ, QU, Đảng bộ quận, đảng ủy quận, đảng uỷ quận, Thường vụ Quận ủy, Ban Thường vụ, BTV
Ban Chấp hành, BCH, hội nghị Ban Chấp hành
họp, nhóm họp, tổ chức hội nghị, hội nghị
sơ kết, tổng kết, đánh giá kết quả
chủ đề năm, chủ đề của năm, chủ trương, chọn làm năm, đặt tên là năm, lấy làm năm, năm chủ đề
nhìn chung, đánh giá chung, tình hình chung, các mặt công tác, tổng thể
chủ trì hội nghị, chỉ đạo hội nghị, kết luận hội nghị, phát biểu kết luận, chủ trì
Thành ủy, Thành uỷ, TU, thành ủy Đà Nẵng
nghị quyết, quyết nghị
chỉ thị, văn bản chỉ đạo
kết luận, thông báo kết luận
khen thưởng, thi đua, biểu dương
khiếu nại, tố cáo, khiếu kiện, kiến nghị, phản ánh
tiếp dân, tiếp công dân
tham nhũng, tiêu cực, lãng phí
mặt trận, Mặt trận Tổ quốc, đoàn thể
phụ nữ, Hội Liên hiệp Phụ nữ
thanh niên, Đoàn thanh niên, đoàn viên
# Time words
6 tháng đầu năm, nửa đầu năm, sáu tháng đầu năm, 6 tháng đầu, 6 tháng qua, sáu tháng qua, nửa năm qua, nửa năm đầu, nửa năm nay
6 tháng cuối năm, nửa cuối năm, sáu tháng cuối năm, cuối năm
từ nay đến cuối năm, từ nay tới cuối năm, từ giờ đến cuối năm, từ giờ tới cuối năm, từ nay đến hết năm, từ giờ tới hết năm
nghị quyết Trung ương 4, Trung ương 4, TW4, TW 4, NQ TW4, nghị quyết TW4
khóa XII, khoá XII, khóa 12, khoá 12
phấn đấu, cố gắng, quyết tâm, nỗ lực
đẩy mạnh, tăng cường, làm mạnh, thúc đẩy
quyết liệt, mạnh tay, làm mạnh tay, mạnh mẽ, rốt ráo, triệt để, triển khai mạnh, làm gắt, làm căng
triển khai, thực hiện, tiến hành, áp dụng
gắn với, gắn liền với, đi kèm, đi kèm với, đi đôi với, kết hợp với
ổn định, bình yên, yên ổn, giữ vững
chưa có chiều sâu, còn yếu, chưa hiệu quả, chưa sâu
chậm tiến độ, chậm trễ, trễ hạn, bị trễ, trễ tiến độ, làm chậm, ì ạch, dậm chân
# Abbreviations
UBND, ủy ban nhân dân, uỷ ban nhân dân, ủy ban
HĐND, hội đồng nhân dân
TP, thành phố
MTTQ, Mặt trận Tổ quốc
KT-XH, kinh tế - xã hội, kinh tế xã hội
GTSX, giá trị sản xuất
ATGT, an toàn giao thông
ANTT, an ninh trật tự
TTATXH, trật tự an toàn xã hội
TTXD, trật tự xây dựng
CCHC, cải cách hành chính
`;
