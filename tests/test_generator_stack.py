"""Stacks of notices (fixtures.generator.stack): the truth says where every notice lies, every stack holds
the hard cases it promises, and the written PDF has the pages the truth counts; the drawn families write the
same files as before the PDF families joined. Composing is cheap; a few small stacks are rendered; nothing
here runs tesseract. The PDF families' stacks: tests/test_generator_stack_pdf.py."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import random
import subprocess
from collections import Counter

import numpy as np
import pytest
from PIL import Image

from fixtures.generator.__main__ import main
from fixtures.generator.corpus import FAMILIES
from fixtures.generator.facts import Client, make_facts
from fixtures.generator.stack import (
    CAPTURES,
    FEWEST_NOTICES,
    MOST_NOTICE_PAGES,
    MOST_NOTICES,
    PDF_FAMILIES,
    STACK_FAMILIES,
    Stack,
    compose_stack,
    write_stack,
)
from pipeline.catalog import load_catalog

STACKS_PER_FAMILY = 12
# The drawn families (composing is cheap); the PDF families' stacks: tests/test_generator_stack_pdf.py.
DRAWN_FAMILIES = [family for family in STACK_FAMILIES if family not in PDF_FAMILIES]
# sha256 over the files a stack writes (names and bytes, in name order), recorded before the PDF families and
# the desk captures came to the stack generator: a drawn family's stacks must not change. (A new Pillow,
# OpenCV or zlib may change the bytes as well: re-record only after checking nothing else changed.)
WRITTEN_BEFORE = [
    ("classic", 2, "pdf_scan", "7930faaee5b8375b7d97ac6857cc37b48565ec11702f20a692844ca7cc6fadcc"),
    ("classic", 2, "pdf_text", "16578df58df082a5e6a21c31da3ad7d900ab0613b6621b87e9245adc766bd1f8"),
    ("irs", 25, "pdf_scan", "3516dadc08dd57cf71d50b270a5cc46cc1b09fe498c3b914b85673c9495f6ac6"),
    ("irs", 25, "pdf_text", "4420698d4d9a0a100914347ad2212a8feedef5c08238f74560cd1246e86e6cd0"),
    ("letter", 27, "pdf_scan", "025b25a2e2eade0a69508c8c5b9c2e278c9a7d488cf2384ed1ee1cc059a3f8b8"),
    ("letter", 27, "pdf_text", "32954b5adb83b133f15a338ad808fb71dad229ba58c9290fcd956269c4c76078"),
    ("modern", 23, "pdf_scan", "29b4d61238d12065822880b31812a8f05407d3109a3b2c77e129ad6893764fa0"),
    ("modern", 23, "pdf_text", "46dd0cfbceb46763ec4e6a11f513471f8986b67c2a83e15edabb5e70b0e67119"),
    ("typed", 24, "pdf_scan", "156364dbf27ba6126a84f3d339b77b65a9cdeb20cbae7d4228fd8de5278227ad"),
    ("typed", 24, "pdf_text", "34bb1ef0780062ab94a81902880fea275535f1d088a3a5309bb2d51bec474aba"),
]


@functools.cache
def _stacks(family: str, kind: str = "pdf_scan") -> tuple[Stack, ...]:
    return tuple(compose_stack(41, index, family, kind) for index in range(STACKS_PER_FAMILY))


def _all_stacks() -> list[Stack]:
    return [stack for family in DRAWN_FAMILIES for stack in _stacks(family)]


def _run(*args: str) -> str:
    return subprocess.run(args, capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("family", DRAWN_FAMILIES)
def test_every_page_is_one_notices_or_a_blank(family):
    for stack in _stacks(family):
        truth = stack.truth
        owners: Counter[int] = Counter()
        for notice in truth["notices"]:
            first, last = notice["page_range"]
            assert last - first + 1 == notice["truth"]["pages"]  # no blank inside a notice
            owners.update(range(first, last + 1))
        owners.update(truth["blank_pages"])
        assert sorted(owners) == list(range(1, truth["pages"] + 1)) and set(owners.values()) == {1}
        starts = [notice["page_range"][0] for notice in truth["notices"]]
        assert starts == sorted(starts) and starts[0] == 1


@pytest.mark.parametrize("family", DRAWN_FAMILIES)
def test_stack_sizes_and_notice_pages_are_in_range(family):
    counts = [len(stack.truth["notices"]) for stack in _stacks(family)]
    assert all(FEWEST_NOTICES <= count <= MOST_NOTICES for count in counts) and len(set(counts)) > 3
    pages = [n["truth"]["pages"] for stack in _stacks(family) for n in stack.truth["notices"]]
    assert set(pages) == set(range(1, MOST_NOTICE_PAGES + 1))
    assert all(stack.truth["family"] == family for stack in _stacks(family))


def test_every_stack_has_two_consecutive_notices_of_one_code_for_two_clients():
    for stack in _all_stacks():
        notices = stack.truth["notices"]
        pairs = [
            (a, b)
            for a, b in zip(notices, notices[1:], strict=False)
            if a["truth"]["notice_type"] == b["truth"]["notice_type"] and a["client"] != b["client"]
        ]
        assert pairs, stack.source
        a, b = pairs[0]
        assert a["truth"]["fields"]["taxpayer_name"] != b["truth"]["fields"]["taxpayer_name"]


def test_every_stack_has_one_client_with_two_notices_that_print_the_same_taxpayer():
    for stack in _all_stacks():
        by_client: dict[int, list[dict]] = {}
        for notice in stack.truth["notices"]:
            by_client.setdefault(notice["client"], []).append(notice["truth"]["fields"])
        twice = [fields for fields in by_client.values() if len(fields) == 2]
        assert len(twice) == 1 and len(by_client) == len(stack.truth["notices"]) - 1, stack.source
        first, second = twice[0]
        for name in ("taxpayer_name", "address", "ssn_last4"):
            assert first[name] == second[name]


def test_a_client_replaces_only_the_taxpayer_and_tin():
    notice = load_catalog().get("CP14")
    assert notice is not None
    client_facts = make_facts(notice, random.Random("client"))
    drawn = make_facts(notice, random.Random(5))
    addressed = make_facts(notice, random.Random(5), Client(client_facts.taxpayer, client_facts.tin))
    assert (addressed.taxpayer, addressed.tin) == (client_facts.taxpayer, client_facts.tin)
    assert dataclasses.replace(addressed, taxpayer=drawn.taxpayer, tin=drawn.tin) == drawn


def test_captures_mix_inside_stacks_and_blanks_take_every_role_and_look():
    stacks = _all_stacks()
    captures = {(n["truth"]["kind"], n["truth"]["degradation"]) for s in stacks for n in s.truth["notices"]}
    assert captures == set(CAPTURES)
    mixed = [s for s in stacks if len({n["truth"]["degradation"] for n in s.truth["notices"]}) > 2]
    assert len(mixed) > len(stacks) // 2
    looks = {(blank["role"], blank["look"]) for s in stacks for blank in s.truth["blanks"]}
    assert looks == {("back", look) for look in ("white", "noise", "show_through")} | {
        ("separator", "white"),
        ("separator", "noise"),
    }


def test_a_blank_back_follows_the_odd_last_page_of_a_notice_not_faxed():
    backs = 0
    for stack in _all_stacks():
        ends = {n["page_range"][1]: n for n in stack.truth["notices"]}
        for blank in stack.truth["blanks"]:
            if blank["role"] == "back":
                backs += 1
                notice = ends[blank["page"] - 1]
                assert notice["truth"]["pages"] % 2 == 1 and notice["truth"]["kind"] != "fax"
    assert backs > 10


def test_same_seed_and_index_give_the_same_stack_and_others_differ():
    again = [compose_stack(41, index, "irs").truth for index in range(3)]
    assert again == [stack.truth for stack in _stacks("irs")[:3]]
    assert compose_stack(42, 0, "irs").truth != again[0]
    assert len({json.dumps(stack.truth["notices"]) for stack in _stacks("irs")}) == STACKS_PER_FAMILY


def test_text_stack_pdf_has_the_notices_text_and_empty_blank_pages(tmp_path):
    stack = _stacks("letter", "pdf_text")[0]
    truth = write_stack(stack, tmp_path)
    pdf = tmp_path / "stack_0000.pdf"
    assert json.loads((tmp_path / "stack_0000.truth.json").read_text()) == truth
    assert f"Pages:           {truth['pages']}" in _run("pdfinfo", str(pdf))
    for number in range(1, truth["pages"] + 1):
        text = _run("pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-")
        assert (text.strip() == "") == (number in truth["blank_pages"]), number
    for notice in truth["notices"]:
        first = _run("pdftotext", "-f", str(notice["page_range"][0]), "-l", str(notice["page_range"][0]),
                     "-layout", str(pdf), "-")  # fmt: skip
        assert notice["truth"]["fields"]["notice_date"][:4] in first


def test_scanned_stack_pages_keep_their_own_resolution_and_a_back_shows_its_front(tmp_path):
    stack = compose_stack(32, 5, "classic")  # 13 pages at 300 and 150/200 dpi, a show-through back
    truth = write_stack(stack, tmp_path)
    pdf = tmp_path / stack.source
    listing = _run("pdfimages", "-list", str(pdf)).splitlines()[2:]
    ppi = [int(row.split()[12]) for row in listing]
    assert len(ppi) == truth["pages"] and len(set(ppi)) > 1
    (back,) = [blank for blank in truth["blanks"] if blank["role"] == "back"]
    assert back["look"] == "show_through" and ppi[back["page"] - 1] == ppi[back["page"] - 2]
    _run("pdftoppm", "-r", "50", "-gray", "-f", str(back["page"]), "-l", str(back["page"]), str(pdf),
         str(tmp_path / "back"))  # fmt: skip
    pixels = np.asarray(Image.open(next(tmp_path.glob("back*.pgm"))))
    assert pixels.mean() > 245 and pixels.min() < 240  # nearly white, yet the front shows through


def test_cli_writes_stacks_and_their_truth_lines(tmp_path, capsys):
    assert main(["stack", "--out", str(tmp_path), "--count", "2", "--seed", "9", "--kind", "pdf_text"]) == 0
    assert "wrote 2 stacks" in capsys.readouterr().out
    lines = [json.loads(line) for line in (tmp_path / "stacks.jsonl").read_text().splitlines()]
    assert lines == [json.loads((tmp_path / f"stack_000{i}.truth.json").read_text()) for i in range(2)]
    assert lines[1] == compose_stack(9, 1, "classic", "pdf_text").truth
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == ["stack_0000.pdf", "stack_0001.pdf"]


def test_cli_refuses_an_unknown_kind(tmp_path):
    with pytest.raises(SystemExit) as exit_info:
        main(["stack", "--out", str(tmp_path), "--kind", "photo"])
    assert exit_info.value.code == 2


def test_a_notice_truth_names_its_stack_and_pages():
    stack = _stacks("classic")[0]
    for notice in stack.truth["notices"]:
        first, last = notice["page_range"]
        assert notice["truth"]["source"] == f"{stack.name}.pdf#{first}-{last}"
    assert stack.truth["source"] == stack.source == f"{stack.name}.pdf"


def test_every_drawn_family_has_a_stack_recorded_before():
    assert sorted(DRAWN_FAMILIES) == sorted({family for family, _, _, _ in WRITTEN_BEFORE})
    assert set(STACK_FAMILIES) <= set(FAMILIES)


def test_an_unknown_family_or_capture_model_is_refused():
    for family, captures in (("nope", "default"), ("classic", "nope")):
        with pytest.raises(ValueError, match="unknown family"):
            compose_stack(1, 0, family, captures=captures)


@pytest.mark.parametrize(("family", "index", "kind", "digest"), WRITTEN_BEFORE)
def test_drawn_families_write_the_same_stacks_as_before(tmp_path, family, index, kind, digest):
    write_stack(compose_stack(41, index, family, kind), tmp_path)
    written = hashlib.sha256()
    for path in sorted(tmp_path.iterdir()):
        written.update(path.name.encode() + path.read_bytes())
    assert written.hexdigest() == digest
