// Question analysis: the type and answer form, the interrogatives kept out of the content terms,
// years, synonyms, all with and without diacritics.
import { describe, expect, it } from 'vitest';
import { analyseQuestion, type QuestionContext } from '../../src/question/analyse.js';
import { ARRESTED } from '../../src/question/question-type.js';
import { foldDiacritics } from '../../src/text/normalize.js';
import { analyse, context } from '../answer/helpers.js';

describe('question types', () => {
  const cases: [string, string, string | null][] = [
    ['Ai là Bí thư Quận ủy?', 'person', null],
    ['Bí thư Quận ủy là ai?', 'person', null],
    ['Dân số quận là bao nhiêu người?', 'quantity', 'người'],
    ['Thu ngân sách đạt bao nhiêu phần trăm?', 'quantity', '%'],
    ['Dự án kéo dài bao lâu?', 'quantity', 'duration'],
    ['Quận có mấy phường?', 'quantity', 'phường'],
    ['Giá trị sản xuất tăng bao nhiêu?', 'quantity', 'change'],
    ['Chỉ thị 21 ban hành khi nào?', 'date', null],
    ['Thành Thanh Hóa thất thủ năm nào?', 'date', null],
    ['Người ta bắt đầu thờ thần vào thời kỳ nào?', 'date', 'period'],
    ['Trụ sở UBND quận ở đâu?', 'place', null],
    ['Vì sao dự án chậm tiến độ?', 'reason', null],
    ['Tình hình an ninh như thế nào?', 'description', null],
    ['Quận có hỗ trợ doanh nghiệp không?', 'yesno', null],
    ['Dự án đã hoàn thành chưa?', 'yesno', null],
    ['Thủ tục ở quận còn rườm rà không?', 'yesno', null],
    ['Sản xuất kinh doanh ở quận có tăng lên không?', 'yesno', 'change'],
    ['Kinh tế nửa đầu năm tăng trưởng thế nào?', 'description', 'change'],
    ['Chương trình Thành phố 4 an là gì?', 'thing', null],
    ['Nghị quyết Trung ương 4 khóa mấy?', 'quantity', 'ordinal'],
    ['Hội nghị Ban Chấp hành lần thứ mấy?', 'quantity', 'ordinal'],
    ['Vi phạm xây dựng xử lý theo chỉ thị số mấy?', 'quantity', 'ordinal'],
    ['Thu ngân sách đạt chỉ tiêu chưa?', 'yesno', null],
    ['Kinh tế quận sắp tới làm gì?', 'thing', null],
    ['Sao quận thu ngân sách còn thấp?', 'reason', null],
    ['Sao Kim là thiên thể gì?', 'thing', null],
    ['Xây nhà trái phép xử lý tới đâu rồi?', 'description', null],
    ['Dự án nào bị chậm tiến độ?', 'thing', 'which du an'],
    ['Mấy vụ xây nhà không phép xử lý ra sao?', 'description', null],
    ['Mấy người chết vì tai nạn giao thông?', 'quantity', 'người'],
    ['Tên các dự án bị chậm tiến độ là gì?', 'thing', 'which du an'],
    ['Thành phố 4 an gồm những an nào?', 'thing', 'list an'],
  ];
  for (const [question, type, unit] of cases) {
    it(`${question} → ${type}${unit ? ` (${unit})` : ''}, also without diacritics`, () => {
      for (const q of [question, foldDiacritics(question)]) {
        const form = analyse(q).form;
        expect(form.kind, q).toBe(type);
        if (unit) expect(form.unit === unit || form.unit === foldDiacritics(unit), q).toBe(true);
      }
    });
  }

  it('asks about a change only for tăng / giảm, not for tầng or tặng typed with diacritics', () => {
    expect(analyse('Nhà có mấy tầng không?').form.unit).not.toBe('change');
    expect(analyse('Quận có tặng quà hộ nghèo không?').form.unit).toBeNull();
    expect(analyse('Quận có hỗ trợ doanh nghiệp không?').form.unit).toBeNull();
  });

  it('reads chat spellings, and keeps "15%" as the reports write it', () => {
    expect(analyse('thu ngan sach dc bao nhieu % r').form).toMatchObject({ kind: 'quantity', unit: '%' });
    const terms = analyse('vuot 15% la so voi cai j').contentTerms.map((t) => t.term);
    expect(terms).toContain('15');
    expect(terms).not.toContain('phần');
    expect(analyse('an ninh con van de j hk').form.kind).toBe('thing');
    expect(analyse('an ninh con van de j hk').contentTerms.map((t) => t.term)).not.toContain('hk');
    expect(analyse('kinh te on ko mn').corrected).toBe('kinh te on không mọi người');
  });

  it('reads what a count, a date or a place must be: any count for "cái", those arrested, years given, a ward', () => {
    expect(analyse('Nhà xây chui bị đập bỏ bao nhiêu cái rồi?').form).toMatchObject({ kind: 'quantity', unit: null });
    expect(analyse('cong an quan bat duoc bao nhieu nguoi').form.unit).toBe(ARRESTED);
    expect(analyse('Bao nhiêu người chết vì tai nạn giao thông?').form.unit).toBe('người');
    expect(analyse('Đại hội nhiệm kỳ 2020-2025 tổ chức ngày nào?').form).toMatchObject({
      kind: 'date',
      given: ['2020', '2025'],
    });
    expect(analyse('phuong nao hay bi ngap nhat').form).toMatchObject({ kind: 'place', unit: 'phường' });
    expect(analyse('kiet hem be tong duoc may cay so').form).toMatchObject({ kind: 'quantity', unit: 'km' });
    expect(analyse('có bao nhiêu công ty mới mở').form.unit).toBe('doanh nghiệp');
    // Folded "may tinh" is máy tính (a computer) before it is "mấy tỉnh".
    expect(analyse('quan dung may tinh vao cong viec chua').form.kind).not.toBe('quantity');
    expect(analyse('Lãnh đạo nào chỉ đạo hội nghị?').form.kind).toBe('person');
    // "có … nào … không" asks whether there are any, not which.
    expect(analyse('co du an nao bi tre khong').form.unit).toBeNull();
  });

  it('keeps a synonym phrase made only of function words: "việc làm" is jobs', () => {
    expect(analyse('quận có việc làm cho thanh niên không').contentTerms.map((t) => t.term)).toContain('việc_làm');
    expect(analyse('quận làm việc gì').contentTerms.map((t) => t.term)).not.toContain('làm_việc');
  });

  it('requires the procedure itself in a how-to question, not its synonyms', () => {
    const required = (q: string) =>
      analyse(q)
        .contentTerms.filter((t) => t.required)
        .map((t) => t.folded);
    expect(required('Muốn đăng ký hộ kinh doanh thì cần giấy tờ gì?')).toEqual(['giay_to']);
    expect(required('thu tuc xin phep xay dung')).toEqual(['thu_tuc']);
    expect(required('Thủ tục giấy tờ ở quận còn rườm rà không?')).toEqual([]);
    expect(required('thủ tục hành chính có được cải cách không')).toEqual([]);
  });

  it('leaves "nói về" and a closing "thế" out of the topic', () => {
    const terms = analyse('chi thi 21 noi ve van de gi the').contentTerms.map((t) => t.term);
    expect(terms).not.toContain('noi');
    expect(terms).not.toContain('the');
  });

  it('writes out an abbreviation the reports do not use, and keeps one they do', () => {
    const noReportHasIt = analyseQuestion('ANTT 6 tháng đầu năm thế nào?', { ...context, occurs: () => false });
    expect(noReportHasIt.corrected).toBe('an ninh trật tự 6 tháng đầu năm thế nào?');
    expect(analyse('CT 21 cua Thanh uy ban hanh ngay nao').corrected).toBe('Chỉ thị 21 cua Thanh uy ban hanh ngay nao');
    expect(analyse('nq35 la gi').corrected).toBe('Nghị quyết 35 la gi');
    const withUbnd = analyseQuestion('UBND quận làm gì?', { ...context, occurs: (term) => term === 'ubnd' });
    expect(withUbnd.corrected).toBe('UBND quận làm gì?');
  });

  it('marks a named place the question asks about, not the one the asker lives in', () => {
    const places = (q: string) =>
      analyse(q)
        .contentTerms.filter((t) => t.place)
        .map((t) => t.term);
    expect(places('Phường Hòa Xuân an ninh ra sao?')).toEqual(['hòa_xuân']);
    expect(places('Mình ở phường Hòa Thọ Đông, an ninh ra sao?')).toEqual([]);
    expect(places('phuong hoa xuan an ninh ra sao')).toEqual([]);
  });

  it('reads a cue typed with diacritics only when they are its own: "châu lục nào" is not "lúc nào"', () => {
    expect(analyse('Hinnamno là vùng carxtơ lớn nhất châu lục nào?').form.kind).toBe('thing');
    expect(analyse('hinnamno la vung carxto lon nhat chau luc nao').form.kind).toBe('date');
    expect(analyse('Bệnh não có chữa được không?').form.kind).toBe('yesno');
    expect(analyse('Tinh thần ái quốc được thể hiện ra sao?').form.kind).toBe('description');
  });

  it('reads "nhiêu" without "bao", as typed on phones, only with its accent (folded it is nhiều)', () => {
    expect(analyse('ngân sách 6 tháng đạt nhiêu %').form).toMatchObject({ kind: 'quantity', unit: '%' });
    expect(analyse('co nhieu du an cham tien do').form.kind).not.toBe('quantity');
  });

  it('writes out what phones type: "bao nhiu", "z" (vậy), "sx"', () => {
    const q = analyse('kinh te tang truong bao nhiu phan tram z');
    expect(q.corrected).toBe('kinh te tang truong bao nhiêu phan tram vậy');
    expect(q.form).toMatchObject({ kind: 'quantity', unit: '%' });
    expect(analyse('sx tang may %').corrected).toBe('sản xuất tang may  phần trăm');
  });

  it('reads "thu … bao nhiêu" as a count, not a rank ("thứ mấy")', () => {
    expect(analyse('thu ngan sach bao nhieu').form.unit).not.toBe('ordinal');
    expect(analyse('quan thu duoc may phan tram').form.unit).toBe('%');
  });

  it('asks for a name when "ai" names the title held, and accepts a body otherwise', () => {
    for (const q of ['Chủ tịch UBND quận là ai?', 'truong cong an quan la ai', 'Ai là Bí thư Quận ủy?'])
      expect(analyse(q).form, q).toMatchObject({ kind: 'person', unit: 'title' });
    expect(analyse('Ai ban hành Chỉ thị 21?').form).toMatchObject({ kind: 'person', unit: null });
    expect(analyse('ai giao du toan ngan sach cho truong hoc').form.unit).toBeNull();
  });

  it('reads a fragment that names a count or a rate as a quantity question', () => {
    expect(analyse('số doanh nghiệp thành lập mới năm 2018').form).toMatchObject({
      kind: 'quantity',
      unit: 'doanh nghiệp',
    });
    expect(analyse('tong so du an dau tu').form).toMatchObject({ kind: 'quantity', unit: 'dự án' });
    expect(analyse('tỷ lệ hộ nghèo của quận').form).toMatchObject({ kind: 'quantity', unit: '%' });
    // Folded "so" is also so sánh: without a counted noun after it, no quantity.
    expect(analyse('so sanh thu ngan sach hai nam').form.kind).toBe('unknown');
  });

  it('reads "phản ánh" after "bao nhiêu" as what is counted, not as "phần" (per cent)', () => {
    expect(analyse('đường dây nóng nhận bao nhiêu phản ánh').form.unit).toBe('phan anh');
    expect(analyse('duong day nong nhan bao nhieu phan anh').form.unit).toBe('phan anh');
    expect(analyse('thu được mấy phần dự toán').form.unit).toBe('%');
  });

  it('does not read a negation as a yes/no question', () => {
    expect(analyse('những chỉ tiêu không đạt').form.kind).not.toBe('yesno');
  });

  it('does not read "đầu tư" typed without accents as "đâu"', () => {
    expect(analyse('dau tu cong').form.kind).toBe('unknown');
  });
});

describe('content terms', () => {
  it('leave out the interrogative phrase, with or without diacritics', () => {
    for (const q of [
      'an ninh trat tu the nao',
      'an ninh trật tự ra sao',
      'thu ngan sach bao nhieu',
      'chi thi 21 la gi',
    ]) {
      const terms = analyse(q).contentTerms.map((t) => t.term);
      expect(terms, q).not.toContain('the');
      expect(terms, q).not.toContain('nao');
      expect(terms, q).not.toContain('sao');
      expect(terms, q).not.toContain('nhieu');
      expect(terms, q).not.toContain('gi');
    }
    expect(analyse('an ninh trat tu the nao').contentTerms.map((t) => t.term)).toEqual(
      expect.arrayContaining(['an', 'ninh', 'an_ninh', 'trat_tu']),
    );
  });

  it('leave out the filler phrases of a question, whose folded syllables alone could be content', () => {
    const terms = (q: string) => analyse(q).contentTerms.map((t) => t.folded);
    expect(terms('quan minh thu ngan sach duoc may phan tram roi')).not.toContain('minh');
    expect(terms('quan minh thu ngan sach duoc may phan tram roi')).toContain('quan');
    expect(terms('chi thi 21 ve van de gi')).toEqual(expect.not.arrayContaining(['van', 'de', 'van_de']));
    expect(terms('kinh te quan sap toi lam gi')).toEqual(expect.not.arrayContaining(['sap', 'toi', 'lam']));
    expect(terms('cho em hoi quan minh thu ngan sach')).toEqual(expect.not.arrayContaining(['cho', 'em', 'hoi']));
    // Outside those phrases the same syllables are content: "minh bạch", "văn bản", "có vấn đề" (problems).
    expect(terms('minh bach ngan sach')).toContain('minh');
    expect(terms('van ban chi dao la gi')).toContain('van');
    expect(terms('thu hut dau tu co van de gi')).toContain('van_de');
  });

  it('require the deputy or former of a title, so that the title alone does not answer for them', () => {
    const required = (q: string) =>
      analyse(q)
        .contentTerms.filter((t) => t.required)
        .map((t) => t.folded);
    expect(required('Phó bí thư quận ủy là ai?')).toEqual(['pho_bi']);
    expect(required('pho chu tich ubnd quan la ai')).toEqual(['pho_chu']);
    expect(required('Bí thư quận ủy là ai?')).toEqual([]);
    // Folded "pho" is also phố; "cựu" before other words is no title.
    expect(required('thanh pho 4 an la gi')).toEqual([]);
    expect(required('cựu giảng viên nào đoạt giải')).toEqual([]);
  });

  it('search a synonym of several words by its bigrams only, a one-word synonym by itself', () => {
    // "6 tháng đầu năm" brings "6 tháng qua": "qua" alone is in every "trong thời gian qua".
    const terms = analyse('6 thang dau nam thu ngan sach').searchTerms;
    expect(terms).toContainEqual({ term: 'f:thang_qua', weight: 0.5 });
    expect(terms.map((t) => t.term)).not.toContain('f:qua');
    expect(analyse('hoi nghi ban chap hanh').searchTerms).toContainEqual({ term: 'f:bch', weight: 0.5 });
  });

  it('keep a word the thesaurus knows as typed, even when the corpus lacks it and the speller would change it', () => {
    const speller: QuestionContext = { ...context, correctSpelling: (text) => text.replace(/\bbch\b/g, 'bach') };
    const q = analyseQuestion('hoi nghi bch nam nay', speller);
    expect(q.corrected).toBe('hoi nghi bch nam nay');
    expect(q.synonyms.map((m) => m.phrase)).toContain('bch');
  });

  it('carry the synonyms of their phrase as alternatives, and the search adds them at a lower weight', () => {
    const q = analyse('những yếu kém của quận');
    const yeu = q.contentTerms.find((t) => t.term === 'yếu')!;
    expect(yeu.alternatives).toContainEqual(['han_che']);
    expect(q.searchTerms).toContainEqual({ term: 'f:han_che', weight: 0.5 });
    expect(q.searchTerms).toContainEqual({ term: 'f:yeu_kem', weight: 1 });
  });
});

describe('time references', () => {
  it('reads years, relative years against the newest report, and periods', () => {
    expect(analyse('thu ngân sách năm 2018').time.resolvedYears).toEqual([2018]);
    expect(analyse('nam ngoai thu ngan sach').time.resolvedYears).toEqual([2018]);
    expect(analyse('năm nay thu ngân sách').time.resolvedYears).toEqual([2019]);
    expect(analyse('6 thang dau nam gia tri san xuat').time.periods).toContain('6 thang dau nam');
    expect(analyse('có 2018 người tham gia').time.resolvedYears).toEqual([]);
    expect(analyse('Năm 2018 tỷ lệ hộ nghèo là bao nhiêu?').time.resolvedYears).toEqual([2018]);
  });

  it("reads a year named as the baseline of a comparison as the year after, the figure's year", () => {
    expect(analyse('so voi cung ky nam 2017 thi tang bao nhieu').time.resolvedYears).toEqual([2018]);
    expect(analyse('Tăng bao nhiêu so với năm 2017?').time.resolvedYears).toEqual([2018]);
    // Newest report 2019: "so với năm ngoái" compares 2019 with 2018.
    expect(analyse('gia tri san xuat tang bao nhieu so voi nam ngoai').time.resolvedYears).toEqual([2019]);
    expect(analyse('nam ngoai gia tri san xuat tang bao nhieu').time.resolvedYears).toEqual([2018]);
    expect(analyse('kinh te nam nay lam ra nhieu hon nam truoc bao nhieu').time.resolvedYears).toEqual([2019]);
  });

  it('reads "nửa năm qua", "nửa năm sau", "mấy năm qua" as stretches of time, not as last or next year', () => {
    for (const q of ['dang uy nua nam qua co cung co khong', 'Kế hoạch nửa năm sau là gì?', 'mấy năm qua quận làm gì'])
      expect(analyse(q).time.resolvedYears, q).toEqual([]);
  });
});

describe('the district', () => {
  it('is recognised by its name or the word quận', () => {
    expect(analyse('Quận hỗ trợ doanh nghiệp như thế nào?').aboutDistrict).toBe(true);
    expect(analyse('cam le ho tro doanh nghiep').aboutDistrict).toBe(true);
    expect(analyse('co quan thue o dau').aboutDistrict).toBe(false);
  });
});

describe('bigrams across word boundaries', () => {
  // The corpus says "sản xuất" and "kinh doanh", never "xuất kinh".
  const corpusBigrams = new Set(['san_xuat', 'kinh_doanh', 'dang_ky']);
  const withCorpus: QuestionContext = { ...context, occurs: (term) => !term.includes('_') || corpusBigrams.has(term) };
  const weightOf = (question: string, term: string) =>
    analyseQuestion(question, withCorpus).contentTerms.find((t) => t.folded === term)?.weight;

  it('gives no weight to a bigram joining two corpus words', () => {
    expect(weightOf('Sản xuất kinh doanh có tăng không?', 'xuat_kinh')).toBe(0);
    expect(weightOf('Sản xuất kinh doanh có tăng không?', 'kinh_doanh')).toBe(1);
  });

  it('keeps an unknown phrase that is not between two known words', () => {
    // "hộ cá thể" is absent from the corpus: that is evidence the reports do not speak of it.
    expect(weightOf('dang ky kinh doanh ho ca the', 'ca_the')).toBe(1);
    expect(weightOf('dang ky kinh doanh ho ca the', 'ky_kinh')).toBe(0);
  });
});
