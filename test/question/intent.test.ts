import { describe, expect, it } from 'vitest';
import { questionIntent, sentenceIntent } from '../../src/question/intent.js';
import { foldDiacritics } from '../../src/text/normalize.js';

const asked = (question: string) => questionIntent(foldDiacritics(question.toLowerCase()).split(/\s+/));

describe('what a question asks: a target or what was achieved', () => {
  it('reads target cues, with or without diacritics', () => {
    expect(asked('Mục tiêu thu ngân sách năm 2019')).toBe('target');
    expect(asked('chi tieu cuoi nam la bao nhieu')).toBe('target');
  });

  it('takes "bao nhiêu" without a target cue as a figure reached', () => {
    expect(asked('thu ngan sach bao nhieu')).toBe('actual');
  });

  it('takes "đã … chưa" as whether it happened, even of a target', () => {
    expect(asked('quan thu ngan sach da duoc qua nua chi tieu chua')).toBe('actual');
  });

  it('takes "có … không" and "còn" as how things stand', () => {
    expect(asked('thu tuc giay to o quan con ruom ra khong')).toBe('actual');
    expect(asked('ke hoach co ro rang khong')).toBe('actual');
    expect(asked('an ninh trat tu the nao')).toBe('actual');
    expect(asked('Định hướng phát triển của quận ra sao?')).toBe('target');
  });

  it('leaves a question without cues undecided', () => {
    expect(asked('ai la bi thu quan uy')).toBeNull();
  });
});

describe('what a report sentence states', () => {
  it('reads directives as plans, unless they are reported done', () => {
    expect(sentenceIntent('Đẩy mạnh thu hút đầu tư gắn với cải cách hành chính')).toBe('target');
    expect(sentenceIntent('Tiếp tục thực hiện tốt Chương trình “Thành phố 4 an”')).toBe('target');
    expect(sentenceIntent('Công tác xây dựng Đảng tiếp tục được củng cố, kiện toàn.')).toBe('actual');
    expect(sentenceIntent('Công tác tuyên truyền được đẩy mạnh.')).not.toBe('target');
  });

  it('reads "chưa đáp ứng yêu cầu" as an assessment, while "đồng chí yêu cầu" is a directive', () => {
    const assessment =
      'Công tác quản lý đất đai, cải cách hành chính còn nhiều hạn chế, việc ứng dụng công nghệ thông tin chưa đáp ứng được yêu cầu đặt ra.';
    expect(sentenceIntent(assessment)).not.toBe('target');
    expect(sentenceIntent('Đồng chí yêu cầu các ngành phấn đấu hoàn thành chỉ tiêu.')).toBe('target');
  });

  it('reads figures reached as achievements', () => {
    expect(sentenceIntent('Tổng thu ngân sách ước đạt gần 57% so với dự toán.')).toBe('actual');
  });
});
