import { describe, expect, it } from 'vitest';
import { ASSESSMENTS, findAssessment, publicAssessment, type Assessment } from '@/lib/assessments/catalogue';
import { reviewAnswers } from '@/lib/assessments/review';
import { answerFieldName, parseSubmission, scoreAnswers } from '@/lib/assessments/submission';

const assessment: Assessment = ASSESSMENTS[0]!;

/** The form entries a browser sends for `choices` (question id → choice id), plus the framework's own field. */
function formEntries(choices: Record<string, string>): [string, unknown][] {
  return [['$ACTION_ID_abc123', ''], ...Object.entries(choices).map(([id, choice]): [string, unknown] => [answerFieldName(id), choice])];
}

const allCorrect = Object.fromEntries(assessment.questions.map((question) => [question.id, question.answer]));
const firstWrongChoice = (question: Assessment['questions'][number]) =>
  question.choices.find((choice) => choice.id !== question.answer)!.id;
const allWrong = Object.fromEntries(assessment.questions.map((question) => [question.id, firstWrongChoice(question)]));

describe('the catalogue', () => {
  it('has 2–3 assessments of five questions, each answer one of its own choices, ids unique', () => {
    expect(ASSESSMENTS.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ASSESSMENTS.map((entry) => entry.slug)).size).toBe(ASSESSMENTS.length);
    for (const entry of ASSESSMENTS) {
      expect(entry.questions).toHaveLength(5);
      expect(new Set(entry.questions.map((question) => question.id)).size).toBe(5);
      for (const question of entry.questions) expect(question.choices.map((choice) => choice.id)).toContain(question.answer);
    }
  });

  it('finds an assessment by slug, and nothing for an unknown one', () => {
    expect(findAssessment(assessment.slug)).toBe(assessment);
    expect(findAssessment('no-such-assessment')).toBeUndefined();
  });

  it('the public view carries prompts and choices but no answer', () => {
    const shown = publicAssessment(assessment);
    expect(shown.questions.map((question) => question.prompt)).toEqual(assessment.questions.map((question) => question.prompt));
    expect(shown.questions.every((question) => !('answer' in question))).toBe(true);
    expect(JSON.stringify(shown)).not.toMatch(/"answer"/);
  });
});

describe('validating a submission', () => {
  it('accepts one valid choice per question and ignores fields that are not answers', () => {
    expect(parseSubmission(assessment, formEntries(allCorrect))).toEqual({ ok: true, answers: allCorrect });
  });

  it('names every unanswered question, keeps the valid answers, and says nothing was saved', () => {
    const [first, second] = assessment.questions;
    const result = parseSubmission(assessment, formEntries({ [first!.id]: first!.answer }));
    expect(result).toMatchObject({
      ok: false,
      message: '4 of 5 questions need an answer. Nothing was saved.',
      values: { [first!.id]: first!.answer },
    });
    if (result.ok) throw new Error('accepted');
    expect(Object.keys(result.issues)).toHaveLength(4);
    expect(result.issues[second!.id]).toBe('Choose one answer for question 2.');
  });

  it('rejects a choice the question does not have', () => {
    const result = parseSubmission(assessment, formEntries({ ...allCorrect, [assessment.questions[2]!.id]: 'z' }));
    expect(result).toMatchObject({ ok: false, issues: { [assessment.questions[2]!.id]: 'Choose one answer for question 3.' } });
  });

  it('rejects an answer to a question the assessment does not have', () => {
    const result = parseSubmission(assessment, formEntries({ ...allCorrect, 'not-a-question': 'a' }));
    expect(result).toMatchObject({ ok: false, message: 'The form has answers to questions this assessment does not have.' });
  });

  it('rejects two answers to one question, and an answer that is not text (a file)', () => {
    const [first, second] = assessment.questions;
    const entries = [
      ...formEntries(allCorrect),
      [answerFieldName(first!.id), 'a'] as [string, unknown],
      [answerFieldName(second!.id), new Blob(['b'])] as [string, unknown],
    ];
    const result = parseSubmission(assessment, entries);
    expect(result.ok).toBe(false);
    if (result.ok) throw new Error('accepted');
    expect(Object.keys(result.issues).sort()).toEqual([first!.id, second!.id].sort());
  });
});

describe('scoring', () => {
  it('gives one point per correct answer, out of the number of questions', () => {
    expect(scoreAnswers(assessment, allCorrect)).toMatchObject({ score: 5, maxScore: 5 });
    expect(scoreAnswers(assessment, allWrong)).toMatchObject({ score: 0, maxScore: 5 });
    const twoRight = {
      ...allWrong,
      [assessment.questions[0]!.id]: assessment.questions[0]!.answer,
      [assessment.questions[4]!.id]: assessment.questions[4]!.answer,
    };
    expect(scoreAnswers(assessment, twoRight)).toMatchObject({ score: 2, maxScore: 5 });
  });

  it('records each answer with the correct choice it was scored against, in catalogue order', () => {
    const { answers } = scoreAnswers(assessment, allWrong);
    expect(answers).toEqual(
      assessment.questions.map((question) => ({
        questionId: question.id,
        choiceId: firstWrongChoice(question),
        correctChoiceId: question.answer,
      })),
    );
  });
});

describe('reviewing a result', () => {
  it('puts each answer next to the correct one, in words, and marks it right or wrong', () => {
    const [first, second] = assessment.questions;
    const { answers } = scoreAnswers(assessment, { ...allCorrect, [second!.id]: firstWrongChoice(second!) });
    const review = reviewAnswers({ slug: assessment.slug, answers });
    const label = (question: typeof first, id: string) => question!.choices.find((choice) => choice.id === id)!.label;
    expect(review[0]).toEqual({
      questionId: first!.id,
      prompt: first!.prompt,
      chosen: label(first, first!.answer),
      correct: label(first, first!.answer),
      isCorrect: true,
    });
    expect(review[1]).toMatchObject({
      chosen: label(second, firstWrongChoice(second!)),
      correct: label(second, second!.answer),
      isCorrect: false,
    });
  });

  it('falls back to the stored ids for a question the catalogue no longer has', () => {
    const review = reviewAnswers({ slug: assessment.slug, answers: [{ questionId: 'retired', choiceId: 'a', correctChoiceId: 'b' }] });
    expect(review).toEqual([{ questionId: 'retired', prompt: 'retired', chosen: 'a', correct: 'b', isCorrect: false }]);
  });
});
