"""`wenyuan eval`: scores on a user's own questions, a per-question report, clear errors for bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wenyuan.evaluate import evaluate, read_questions, table


@pytest.fixture(params=["embedded", "milvus"])
def demo_assistant(request, demo_assistant):
    """`wenyuan eval` scores the same answers from both stores."""
    return demo_assistant if request.param == "embedded" else request.getfixturevalue("milvus_demo_assistant")

SEED = "树立和践行正确政绩观学习教育动员部署会讲话.txt"
QUESTIONS = [
    {"id": "a", "question": "城镇化率提升到了多少？", "doc": SEED, "answer": "60.37%", "key_points": ["60.37%"],
     "evidence": "城镇化率提升至60.37%"},
    {"id": "b", "question": "组织领导方面提了哪几条要求？", "doc": SEED,
     "key_points": ["压紧压实工作责任", "坚持分类指导", "强化真督实导", "两手抓两促进"], "evidence": "四要做到两手抓两促进"},
    {"id": "c", "question": "2023年**市的城镇化率是多少？", "doc": None},
]


def _write(path: Path, rows: list[dict]) -> Path:
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_scores_match_what_the_assistant_did(demo_assistant, tmp_path: Path) -> None:
    report = evaluate(demo_assistant, read_questions(_write(tmp_path / "q.jsonl", QUESTIONS)))
    summary = report.summary
    assert summary["questions"] == 3 and summary["answerable"] == 2 and summary["unanswerable"] == 1
    assert summary["recall@5"] == 1.0 and summary["mrr@5"] > 0.5
    assert summary["key_point_coverage"] == 1.0
    assert summary["refusal_rate_unanswerable"] == 1.0 and summary["false_refusal_rate"] == 0.0
    assert summary["answers_with_a_correct_citation"] == 1.0
    assert summary["latency_p50_ms"] > 0
    by_id = {o.question.id: o for o in report.outcomes}
    assert by_id["c"].refused and by_id["c"].rank is None
    assert "检索 recall@5" in table(summary) and "1.000" in table(summary)


def test_a_wrong_document_does_not_count_as_a_hit(demo_assistant, tmp_path: Path) -> None:
    wrong = [{**QUESTIONS[0], "doc": "国务院办公厅关于2019年部分节假日安排的通知.txt"}]
    summary = evaluate(demo_assistant, read_questions(_write(tmp_path / "q.jsonl", wrong))).summary
    assert summary["recall@5"] == 0.0 and summary["answers_with_a_correct_citation"] == 0.0


def test_without_doc_a_question_is_answerable_from_any_document(demo_assistant, tmp_path: Path) -> None:
    no_doc = {k: v for k, v in QUESTIONS[0].items() if k != "doc"}
    questions = read_questions(_write(tmp_path / "q.jsonl", [no_doc, QUESTIONS[2]]))
    assert [q.answerable for q in questions] == [True, False]
    summary = evaluate(demo_assistant, questions).summary
    assert summary["answerable"] == 1 and summary["unanswerable"] == 1
    assert summary["recall@5"] == 1.0 and summary["answers_with_a_correct_citation"] == 1.0
    assert summary["false_refusal_rate"] == 0.0 and summary["refusal_rate_unanswerable"] == 1.0


def test_the_answer_counts_as_a_target_as_well_as_the_evidence(demo_assistant, tmp_path: Path) -> None:
    evidence_elsewhere = [{**QUESTIONS[0], "evidence": "这句话不在任何文档里"}]
    summary = evaluate(demo_assistant, read_questions(_write(tmp_path / "q.jsonl", evidence_elsewhere))).summary
    assert summary["recall@5"] == 1.0  # found by its answer, 60.37%


def test_questions_with_nothing_to_check_stay_out_of_citation_scores(demo_assistant, tmp_path: Path) -> None:
    only_points = {"id": "k", "question": "组织领导方面提了哪几条要求？", "doc": SEED, "key_points": ["坚持分类指导"]}
    summary = evaluate(demo_assistant, read_questions(_write(tmp_path / "q.jsonl", [QUESTIONS[0], only_points]))).summary
    assert summary["answerable"] == 2 and summary["key_point_coverage"] == 1.0
    assert summary["answers_with_a_correct_citation"] == 1.0 and summary["citation_precision"] > 0.5


def test_cli_writes_a_report_line_per_question(demo_assistant, tmp_path: Path, capsys) -> None:
    from wenyuan.cli import main

    questions = _write(tmp_path / "q.jsonl", QUESTIONS)
    report = tmp_path / "report.jsonl"
    code = main(["eval", str(questions), "--index", str(demo_assistant.settings.index_dir), "--report", str(report)])
    assert code == 0
    out = capsys.readouterr().out
    assert "无答案问题的拒答率" in out and "要点覆盖率" in out
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "c"]
    assert lines[0]["rank"] is not None and lines[2]["refused"] is True


def test_a_malformed_questions_file_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "question": "好的"}\n{"id": 2}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="line 2"):
        read_questions(path)


def test_the_shipped_sample_questions_are_valid() -> None:
    sample = Path(__file__).resolve().parents[1] / "examples" / "questions-demo.jsonl"
    questions = read_questions(sample)
    assert len(questions) >= 30
    assert sum(not q.answerable for q in questions) >= 5
    data = Path(__file__).resolve().parents[1] / "data"
    for q in questions:
        if q.answerable:
            text = (data / q.doc).read_text(encoding="utf-8").replace("\n", "")
            assert q.evidence in text, q.id


def test_another_file_counts_only_when_it_prints_the_whole_evidence() -> None:
    """A regulation and the notice that reprints it hold the same passage: quoting either is right; a passage of
    another file that only shares the answer (三十日) is not."""
    from wenyuan.evaluate import Question, _matches

    question = Question("r", "《户籍证明》多久有效？", "real/上海市户口迁移政策.docx", answer="三十日内有效",
                        key_points=("三十日内有效",), evidence="《户籍证明》自签发之日起三十日内有效，过期作废")
    reprint = "第三十条　《户籍证明》自签发之日起三十日内有效，过期作废。"
    assert _matches(question, "real/上海市常住户口管理规定.docx", reprint)
    assert not _matches(question, "real/上海市常住户口管理规定.docx", "临时证明三十日内有效。")
    short = Question("s", "多久有效？", "a.txt", answer="三十日内有效", evidence="三十日内有效")
    assert _matches(short, "a.txt", "三十日内有效") and not _matches(short, "b.txt", "三十日内有效")
