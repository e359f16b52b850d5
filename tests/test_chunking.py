"""Cleaning and chunking: broken lines joined, headings found, chunks that quote their document exactly."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import DATA, SEED
from make_files import write_docx, write_html, write_pdf
from wenyuan.chunking import build_structure, chunk_document, sentence_spans
from wenyuan.clean import Line, heading_level, repair, split_lines
from wenyuan.ingest import SourceFile, load

GOLDEN = Path(__file__).parent / "golden" / "seed_chunks.json"


def _doc(path: Path):
    return load(SourceFile(path, path.name))


def _repaired(text: str) -> list[str]:
    return [line.text for line in repair(split_lines(text))]


def test_lines_broken_inside_a_sentence_are_joined() -> None:
    text = "今年是“十五五”开局之年,又清晰指明了今年\n党建工作的重点任务。当前,“\n十四五”期间年均增速达6.4%。\n"
    assert _repaired(text) == ["今年是“十五五”开局之年,又清晰指明了今年党建工作的重点任务。当前,“十四五”期间年均增速达6.4%。"]


def test_title_split_over_two_lines_joins_but_not_into_the_document_number() -> None:
    text = "国务院关于印发国家职业教育改革\n实施方案的通知\n国发〔2019〕4号\n\n各省、自治区、直辖市人民政府：\n"
    assert _repaired(text) == ["国务院关于印发国家职业教育改革实施方案的通知", "国发〔2019〕4号", "各省、自治区、直辖市人民政府："]


def test_headings_are_not_joined_to_their_body() -> None:
    assert _repaired("二、明确工作职责\n本意见所称政务新媒体，是指各级行政机关。") == [
        "二、明确工作职责",
        "本意见所称政务新媒体，是指各级行政机关。",
    ]


def test_spaces_between_chinese_characters_collapse_but_latin_words_keep_theirs() -> None:
    assert _repaired("统 战 工 作 与 AI  model 结合") == ["统战工作与 AI  model 结合"]
    assert _repaired("第一条　为了规范管理") == ["第一条　为了规范管理"]


def test_a_roster_keeps_a_line_per_member_and_the_gap_between_name_and_post() -> None:
    roster = "现将调整后的名单通知如下：\n组　长：韩　正　　国务院副总理\n副组长：丁学东　　国务院副秘书长\n李干杰　　生态环境部部长\n" \
             "主  任：孙春兰　　国务院副总理\n领导小组办公室设在生态环境部，办公室主任由生态环境部副部长兼任。"
    assert _repaired(roster) == [
        "现将调整后的名单通知如下：", "组长：韩正\u3000\u3000国务院副总理", "副组长：丁学东\u3000\u3000国务院副秘书长",
        "李干杰\u3000\u3000生态环境部部长", "主任：孙春兰\u3000\u3000国务院副总理", "领导小组办公室设在生态环境部，办公室主任由生态环境部副部长兼任。"]
    # prose (it has punctuation) broken over lines still joins, whatever its spacing
    assert _repaired("各地区要加强组织　　领导，\n切实抓好落实。") == ["各地区要加强组织领导，切实抓好落实。"]
    assert len(_repaired("《某某法》第八条　　纳税人对税务机关作出的决定，享有陈述权、\n申辩权。")) == 1


def test_a_dash_the_export_broke_off_joins_and_a_dashed_page_number_goes() -> None:
    text = ("修订后的办法，明确两类必需载体\n—\n网络和现场张贴。\n现行办法程序上包括3次\n—\n4\n—\n信息公开环节。\n"
            "——必须坚持人民主体地位。\n——必须坚持改革开放。\n")
    assert _repaired(text) == ["修订后的办法，明确两类必需载体—网络和现场张贴。", "现行办法程序上包括3次信息公开环节。",
                               "——必须坚持人民主体地位。", "——必须坚持改革开放。"]


def test_a_full_stop_or_a_quoted_word_the_export_put_on_a_line_of_its_own_joins() -> None:
    text = "将程序明确为“2+N”\n。\n“2”\n是指2次信息公开，是必选项。\n他说：“好”\n下一段。\n"
    assert _repaired(text) == ["将程序明确为“2+N”。", "“2”是指2次信息公开，是必选项。", "他说：“好”", "下一段。"]


def test_a_declared_heading_line_is_never_joined() -> None:
    lines = [Line("总体要求", level=1), Line("坚持问题导向")]
    assert [line.text for line in repair(lines)] == ["总体要求", "坚持问题导向"]


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ("第二章 总则", 1),
        ("第三条 为了规范", 3),
        ("一、总体要求", 4),
        ("（一）指导思想。", 5),
        ("(二)开展学习教育是践行党的根本宗旨", 5),
        ("1.坚持正确导向。", 6),
        ("2、坚持需求引领", 6),
        ("（1）加强领导", 7),
        ("一要压紧压实工作责任。", 8),
        ("二是培育服务主体", 8),
        ("6.4%的增速", None),
        ("2019年6月底前各省份要出台具体实施方案。", None),
        ("一些地方存在问题", None),
    ],
)
def test_official_heading_levels(line: str, level: int | None) -> None:
    assert heading_level(line) == level


def test_sentences_split_on_chinese_punctuation_not_inside_numbers() -> None:
    text = "年均增速达6.4%,城镇化率提升至60.37%。要“深学”！要真查？一是完善；二是培育…三是提升"
    sentences = [text[s:e] for s, e in sentence_spans(text)]
    assert sentences == ["年均增速达6.4%,城镇化率提升至60.37%。", "要“深学”！", "要真查？", "一是完善；", "二是培育…", "三是提升"]


def test_closing_quotes_stay_with_their_sentence() -> None:
    text = "时刻牢记“权为民所用。”要坚持把政治建设摆在首位。"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["时刻牢记“权为民所用。”", "要坚持把政治建设摆在首位。"]


def _fixture_documents(tmp_path: Path):
    documents = [_doc(path) for path in sorted(DATA.iterdir())]
    documents.append(_doc(write_docx(tmp_path / "方案.docx")))
    documents.append(_doc(write_pdf(tmp_path / "方案.pdf")))
    documents.append(_doc(write_html(tmp_path / "方案.html")))
    return documents


@pytest.mark.parametrize("size", [120, 300, 600])
def test_every_chunk_quotes_its_document_exactly(tmp_path: Path, size: int) -> None:
    for document in _fixture_documents(tmp_path):
        structure = build_structure(document)
        chunks = chunk_document(document, structure, size=size, overlap=40)
        assert chunks, document.path
        for chunk in chunks:
            assert chunk.text == document.text[chunk.start : chunk.end]
            assert chunk.text.strip() == chunk.text
            assert chunk.heading_path[0] == document.title
        covered = {i for chunk in chunks for i in range(chunk.start, chunk.end)}
        body = {i for i, ch in enumerate(document.text) if not ch.isspace()}
        assert body <= covered, f"{document.path}: text left out of every chunk"


def test_chunks_never_cross_a_top_level_section() -> None:
    for path in sorted(DATA.iterdir()):
        document = _doc(path)
        structure = build_structure(document)
        tops = [h.start for h in structure.headings if h.end > h.start and h.level <= (4 if h.outline else 5)]
        for chunk in chunk_document(document, structure):
            for start in (start for start in tops if chunk.start < start < chunk.end):
                # only heading lines may stand before a section's heading in one chunk (一、… then （一）…)
                before = document.text[chunk.start : start].removeprefix("【提纲】").strip()
                assert not before or all(heading_level(line) is not None and len(line) <= 40 for line in before.split("\n")), (
                    document.path,
                    chunk.text[:40],
                )


def test_chunk_sizes_stay_near_the_target() -> None:
    for path in sorted(DATA.iterdir()):
        document = _doc(path)
        for chunk in chunk_document(document, build_structure(document), size=300, overlap=50):
            assert len(chunk.text) <= 620, (document.path, len(chunk.text))


def test_pdf_chunks_know_their_page(tmp_path: Path) -> None:
    document = _doc(write_pdf(tmp_path / "方案.pdf"))
    chunks = chunk_document(document, build_structure(document))
    pages = {chunk.heading_path[-1]: chunk.page for chunk in chunks}
    assert pages["一、总体要求"] == 1 and pages["二、主要任务"] == 2


def _seed_layout() -> list[dict]:
    document = _doc(SEED)
    return [
        {"start": c.start, "end": c.end, "outline": c.outline, "heading_path": list(c.heading_path), "begins": c.text[:16]}
        for c in chunk_document(document, build_structure(document))
    ]


def test_seed_structure_matches_the_reviewed_golden_file() -> None:
    """The seed speech's chunks, heading paths and boundaries, as reviewed by eye in tests/golden/."""
    assert _seed_layout() == json.loads(GOLDEN.read_text(encoding="utf-8"))


def test_seed_outline_is_marked_and_repairs_the_lost_body_heading() -> None:
    layout = _seed_layout()
    outline = [chunk for chunk in layout if chunk["outline"]]
    assert [c["heading_path"][2][:2] for c in outline] == ["一、", "二、", "三、", "四、"]
    assert all(c["heading_path"][1] == "【提纲】" for c in outline)
    # the body lost "二、准确把握…" in a gap; its items still sit under it, as the outline says
    zhencha = next(c for c in layout if c["begins"].startswith("二要在“真查”"))
    assert zhencha["heading_path"][1:] == ["二、准确把握学习教育的总体要求和目标任务", "二要在“真查”上挖根源"]
    assert not zhencha["outline"]


@pytest.mark.parametrize("kind", ["articles", "headings"])
def test_thousands_of_one_line_articles_or_headings_keep_the_chunk_size(tmp_path: Path, kind: str) -> None:

    digits = "一二三四五六七八九"
    if kind == "articles":  # a long 条例 of one-line articles: each a unit, none grows into a giant chunk
        lines = ["某市条例"] + [f"第{n}条 本条规定第{n}项管理事项，有关部门应当依法履行职责。" for n in range(1, 3000)]
    else:  # thousands of heading lines with no text under them
        lines = ["某市方案"] + [f"{digits[n % 9]}、标题{n}" for n in range(1, 5000)]
    path = tmp_path / f"{kind}.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    document = load(SourceFile(path, path.name))
    chunks = chunk_document(document, build_structure(document), 300, 50)
    assert max(len(chunk.text) for chunk in chunks) <= 450
    assert all(chunk.text == document.text[chunk.start : chunk.end] for chunk in chunks)
    assert "".join(chunk.text for chunk in chunks).count("第2999条" if kind == "articles" else "标题4999") == 1


def test_numbering_that_starts_again_under_a_short_label_is_a_list_inside_it(tmp_path: Path) -> None:
    path = tmp_path / "露营指南.txt"
    path.write_text("春季露营活动指南\n一、活动注意事项\n1. 安全规范\n严格在指定区域生火，离开时确认火源熄灭。\n2. 环保要求\n"
                    "1.所有垃圾必须全部打包带走，不留下任何外来污染物\n2.不随意采摘野生植物，不破坏植被\n"
                    "3.避免使用过量清洁用品清洗餐具\n3. 应急联络\n遇到紧急情况拨打营地电话。\n二、费用\n每人200元。\n",
                    encoding="utf-8")
    structure = build_structure(load(SourceFile(path, path.name)))
    levels = {h.text[:6]: h.level for h in structure.headings}
    assert levels["2. 环保要"] == levels["3. 应急联"] == 6  # the label run goes on at 3.
    assert levels["1.所有垃圾"] == levels["2.不随意采"] == levels["3.避免使用"] > 6
    assert levels["1. 安全规"] == 6 and levels["二、费用"] == 4
