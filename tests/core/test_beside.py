"""The evidence check's file lookup (``cdht.ops.assess._beside``) walks a cited name part by part
from the workbook's real folder instead of resolving it from the root of the disk (issue 18, cost:
a real dossier cites a dozen files). It must answer exactly what ``realpath`` answers — a regular
file inside the folder, every link followed and required to stay inside — for every kind of entry:
files, folders, links to files and folders inside and outside, dangling links, link loops, a link
as the folder itself, a FIFO."""
from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest

from cdht.ops.assess import _beside, _beside_resolved

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links and FIFOs as POSIX makes them")


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("beside")
    outside = base / "ngoai"
    (outside / "thu-muc").mkdir(parents=True)
    (outside / "mat.pdf").write_bytes(b"x")
    (outside / "thu-muc" / "b.pdf").write_bytes(b"x")
    real = base / "that" / "ho-so"
    (real / "minh-chung" / "con").mkdir(parents=True)
    (real / "a.pdf").write_bytes(b"x")
    (real / "minh-chung" / "b.pdf").write_bytes(b"x")
    (real / "minh-chung" / "con" / "c.pdf").write_bytes(b"x")
    (real / "thu-muc.pdf").mkdir()
    os.mkfifo(real / "ong.pdf")
    links = {
        "lk-a.pdf": "a.pdf", "lk-mc": "minh-chung", "lk-ngoai.pdf": str(outside / "mat.pdf"),
        "lk-ngoai-dir": str(outside / "thu-muc"), "lk-treo.pdf": "khong-co.pdf", "vong.pdf": "vong.pdf",
        "lk-len": "..", "minh-chung/lk-b.pdf": "b.pdf", "minh-chung/lk-ra.pdf": "../../../ngoai/mat.pdf",
        "minh-chung/lk-ve.pdf": "../a.pdf",
    }
    for name, target in links.items():
        os.symlink(target, real / name)
    os.symlink(real, base / "duong-tat")  # the workbook's folder itself reached through a link
    return base


PARTS = ["a.pdf", "minh-chung", "con", "b.pdf", "c.pdf", "thu-muc.pdf", "ong.pdf", "lk-a.pdf", "lk-mc",
         "lk-ngoai.pdf", "lk-ngoai-dir", "lk-treo.pdf", "vong.pdf", "lk-len", "lk-b.pdf", "lk-ra.pdf",
         "lk-ve.pdf", "khong-co.pdf", "mat.pdf", "that", "ho-so", "."]


@pytest.mark.parametrize("folder", ["that/ho-so", "duong-tat"])
def test_the_walk_answers_what_realpath_answers(tree, folder):
    root = tree / folder
    real_root = os.path.realpath(root)
    names = ["/".join(p) for n in (1, 2, 3) for p in itertools.product(PARTS, repeat=n)]
    names += [n.replace("/", "\\") for n in names[:200]]
    found = 0
    for name in names:
        want = _beside_resolved(real_root, name)
        assert _beside(root, name) == want, name
        assert _beside(root, name, real_root) == want, name
        found += want
    # the tree really has both answers, through links too
    assert found > 20 and _beside(root, "lk-mc/con/c.pdf") and not _beside(root, "lk-ngoai.pdf")
    assert not _beside(root, "ong.pdf") and not _beside(root, "thu-muc.pdf") and _beside(root, "minh-chung/lk-ve.pdf")
