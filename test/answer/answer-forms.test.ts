// What a sentence must carry: for "ai" a titled name first, then a name, then a title or a body; a
// change with its figure; a quantity in the asked unit; a rank.
import { describe, expect, it } from 'vitest';
import { formIsRequired, formMatch, MIN_FORM } from '../../src/answer/answer-forms.js';
import { ARRESTED, type AnswerForm } from '../../src/question/question-type.js';

const person = { kind: 'person', unit: null, cue: 'ai' } as AnswerForm;
const forPerson = (sentence: string) => formMatch(sentence, person);

describe('the form of an answer to "ai"', () => {
  it('ranks a titled name above a bare name, and both above a title or a body', () => {
    const titledName = forPerson('Phát biểu kết luận, đồng chí Phạm Minh Khoa – Bí thư Quận ủy nhấn mạnh.');
    const sentenceInitialTitle = forPerson('Đồng chí Huỳnh Thị Tam Thanh phát biểu.');
    const name = forPerson('Hội nghị do Huỳnh Thị Tam Thanh chủ trì.');
    const titleOnly = forPerson('Đồng chí Bí thư Quận ủy yêu cầu tập trung cao độ.');
    const body = forPerson('Toàn quận phấn đấu vượt dự toán thành phố giao.');
    expect(titledName).toBe(1);
    expect(sentenceInitialTitle).toBe(1);
    expect(name).toBeLessThan(titledName);
    expect(titleOnly).toBeLessThan(name);
    expect(body).toBeGreaterThan(0);
    expect(forPerson('Tổng thu ngân sách ước đạt gần 57% so với dự toán.')).toBe(0);
  });
});

describe('the form of an answer to "ai là chủ tịch …"', () => {
  const titled = { kind: 'person', unit: 'title', cue: 'ai' } as AnswerForm;
  it('must be a name: a body does not answer who holds a title', () => {
    expect(formIsRequired(titled)).toBe(true);
    expect(formIsRequired(person)).toBe(false);
    expect(formMatch('Đồng chí Huỳnh Thị Tam Thanh – Bí thư Quận ủy phát biểu.', titled)).toBe(1);
    expect(formMatch('Thực hiện Kế hoạch số 12/KH-UBND của Ủy ban nhân dân quận.', titled)).toBeLessThan(MIN_FORM);
  });
});

describe('the form of an answer to "có tăng không" / "tăng trưởng thế nào"', () => {
  const change = { kind: 'yesno', unit: 'change', cue: 'khong' } as AnswerForm;
  it('prefers the change stated with its figure, then a change without one, over a plan', () => {
    const figure = formMatch('Tổng giá trị sản xuất tăng 15,5% so với cùng kỳ năm 2017.', change);
    const noFigure = formMatch('Số doanh nghiệp thành lập mới tăng mạnh.', change);
    const plan = formMatch('Theo đó, toàn quận đẩy mạnh phát triển kinh tế, thúc đẩy sản xuất - kinh doanh.', change);
    expect(figure).toBe(1);
    expect(noFigure).toBeLessThan(figure);
    expect(plan).toBeLessThan(noFigure);
    expect(formMatch('Theo đó, toàn quận đẩy mạnh phát triển kinh tế.', { ...change, unit: null })).toBe(1);
  });
});

describe('the form of an answer to "bao nhiêu <unit>"', () => {
  const counting = (unit: string) => ({ kind: 'quantity', unit, cue: 'bao nhieu' }) as AnswerForm;
  it('reads a unit written as its symbol', () => {
    expect(formMatch('Hang có sinh vật lớn nhất cao 200 m.', counting('mét'))).toBe(1);
    expect(formMatch('Gan chứa khoảng 35g cholesterol.', counting('gam'))).toBe(1);
    expect(formMatch('Hang dài 5 km.', counting('mét'))).toBeLessThan(1);
  });

  it('reads a narrower noun that counts the same thing', () => {
    expect(formMatch('Giải quyết việc làm cho 2.140 lao động, đạt 53,5% kế hoạch năm.', counting('người'))).toBe(1);
    expect(formMatch('Phát hiện và xử lý 173 trường hợp vi phạm trật tự xây dựng.', counting('vụ'))).toBe(1);
    expect(formMatch('Quận hỗ trợ xây mới 18 nhà ở cho hộ nghèo.', counting('người'))).toBeLessThan(MIN_FORM);
    expect(formMatch('Công an quận bắt giữ 27 đối tượng.', counting('người'))).toBeLessThan(MIN_FORM);
  });

  it('reads the head of a counted noun taken with the word after it ("bao nhiêu ghế đại biểu")', () => {
    expect(formMatch('Bắc Ireland được phân 18 ghế trong số 650 ghế của Hạ nghị viện.', counting('ghe dai'))).toBe(0.8);
    expect(formMatch('Tỉnh có 18 ghế đại biểu trong Quốc hội.', counting('ghe dai'))).toBe(1);
    expect(formMatch('Tỉnh có 18 đại biểu trong Quốc hội.', counting('ghe dai'))).toBeLessThan(MIN_FORM);
  });

  it('reads a number written in words, but not "Ba Lan" or folded look-alikes', () => {
    expect(formMatch('Viện có ba bảo tàng lớn.', counting('bao tang'))).toBe(1);
    expect(formMatch('Tướng Grant mở hai chiến dịch.', counting('chien dich'))).toBe(1);
    expect(formMatch('Quân Ba Lan đánh bại chiến dịch.', counting('chien dich'))).toBe(0);
    // "sau" folded from "sáu" (six) is also "sau" (after).
    expect(formMatch('Quân rút lui sau chiến dịch.', counting('chien dich'))).toBe(0);
  });
});

describe('the form of an answer to "thời kỳ nào"', () => {
  const period = { kind: 'date', unit: 'period', cue: 'thoi ky nao' } as AnswerForm;
  const date = { kind: 'date', unit: null, cue: 'khi nao' } as AnswerForm;
  it('reads a period named rather than dated, only when the question asks which period', () => {
    expect(formMatch('Việc thờ cúng có từ thời kỳ đồ đá.', period)).toBe(1);
    expect(formMatch('Việc thờ cúng có từ năm 1407.', period)).toBe(1);
    expect(formMatch('Việc thờ cúng có từ thời kỳ đồ đá.', date)).toBe(0);
    expect(formMatch('Việc thờ cúng rất phổ biến.', period)).toBe(0);
  });
});

describe('the form of an answer to "dự án nào"', () => {
  const which = { kind: 'thing', unit: 'which du an', cue: 'nao' } as AnswerForm;
  it('is missing from a sentence that says only "một số dự án", not from one that names them', () => {
    expect(formMatch('Một số dự án triển khai còn chậm tiến độ.', which)).toBe(0);
    expect(formMatch('Một số dự án như Khu dân cư Hòa Xuân còn chậm tiến độ.', which)).toBe(1);
    expect(formMatch('Dự án Khu dân cư Hòa Xuân còn chậm tiến độ.', which)).toBe(1);
    const school = { kind: 'thing', unit: 'which truong', cue: 'nao' } as AnswerForm;
    expect(formMatch('Quận có thêm 2 trường được công nhận đạt chuẩn quốc gia.', school)).toBe(0);
    const keyProject = { kind: 'thing', unit: 'which trong diem', cue: 'nao' } as AnswerForm;
    expect(formMatch('Giải phóng mặt bằng một số dự án trọng điểm còn chậm.', keyProject)).toBe(0);
    expect(formMatch('Quận có thêm 2 trường đạt chuẩn là Trường Tiểu học Hòa Xuân và Trường Lê Lợi.', school)).toBe(1);
  });
});

describe('the form of an answer that the question itself must not supply', () => {
  it('does not take the years the question writes for the date it asks', () => {
    const date = { kind: 'date', unit: null, cue: 'ngay nao', given: ['2020', '2025'] } as AnswerForm;
    expect(formMatch('Chuẩn bị Đại hội Đảng bộ quận nhiệm kỳ 2020 - 2025.', date)).toBe(0);
    expect(formMatch('Đại hội Đảng bộ quận nhiệm kỳ 2020 - 2025 khai mạc ngày 20/7/2020.', date)).toBe(1);
  });

  it('needs a ward named for "phường nào", and counts those arrested as "đối tượng"', () => {
    const ward = { kind: 'place', unit: 'phường', cue: 'phuong nao' } as AnswerForm;
    expect(formMatch('Quận nạo vét 9,6 km kênh mương thoát nước trên địa bàn Đà Nẵng.', ward)).toBe(0);
    expect(formMatch('Phường Hòa Xuân thường bị ngập khi mưa lớn.', ward)).toBe(1);
    expect(formMatch('Dịch vụ công mức độ 3, 4 được triển khai tại tất cả các phường.', ward)).toBe(1);
    const arrested = { kind: 'quantity', unit: ARRESTED, cue: 'bao nhieu' } as AnswerForm;
    expect(formMatch('Công an quận triệt phá 6 tụ điểm cờ bạc, bắt giữ 27 đối tượng.', arrested)).toBe(1);
  });
});

describe('the form of an answer to "mất bao lâu" and to "gồm những … nào"', () => {
  it("does not take the report's period for a duration", () => {
    const duration = { kind: 'quantity', unit: 'duration', cue: 'bao lau' } as AnswerForm;
    expect(formMatch('6 tháng đầu năm, tình hình các mặt công tác của quận cơ bản ổn định.', duration)).toBeLessThan(
      MIN_FORM,
    );
    expect(formMatch('Thủ tục cấp sổ đỏ được giải quyết trong 15 ngày.', duration)).toBe(1);
  });

  it('needs the list itself, not the quoted name that counts it', () => {
    const list = { kind: 'thing', unit: 'list an', cue: 'nao' } as AnswerForm;
    expect(formMatch('Tiếp tục thực hiện tốt Chương trình “Thành phố 4 an”.', list)).toBe(0);
    expect(
      formMatch('Chương trình “Thành phố 4 an” gồm: an ninh, an toàn giao thông, an sinh, an toàn thực phẩm.', list),
    ).toBe(1);
  });
});

describe('the form of an answer to "khóa mấy" / "lần thứ mấy"', () => {
  const rank = { kind: 'quantity', unit: 'ordinal', cue: 'may' } as AnswerForm;
  it('reads a rank written in Roman or Arabic numerals or in words', () => {
    expect(formMatch('Thực hiện tốt Nghị quyết Trung ương 4 (khóa XII) về xây dựng Đảng.', rank)).toBe(1);
    expect(formMatch('Hội nghị Ban Chấp hành lần thứ XIV (Mở rộng)', rank)).toBe(1);
    expect(formMatch('Đây là đợt 2 của chiến dịch.', rank)).toBe(1);
    expect(formMatch('Đây là lần thứ ba quận tổ chức hội nghị.', rank)).toBe(1);
    // "chỉ thị số mấy": a document's number is its rank.
    expect(formMatch('Chỉ thị 21 của Thành ủy về trật tự xây dựng.', rank)).toBe(1);
  });

  it('does not take a count or a sentence without numbers for a rank', () => {
    expect(formMatch('Quận có 13 phường.', rank)).toBeLessThan(MIN_FORM);
    expect(formMatch('Hội nghị Ban Chấp hành quận bàn về kinh tế.', rank)).toBe(0);
  });
});
