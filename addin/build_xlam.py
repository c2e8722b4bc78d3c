"""Build the CDHT Excel add-in (``cdht.xlam``) from text sources.

The add-in is xlwings' own BSD-licensed ribbon add-in template
(``xlwings/quickstart_addin_ribbon.xlam``, the file behind
``xlwings quickstart NAME --addin --ribbon``), renamed the way xlwings'
"Custom Add-ins" documentation describes, with:

* the ``xlwings`` VBA module taken from xlwings' ``xlwings_custom_addin.bas``
  with our ``PROJECT_NAME`` (so settings come from ``<project>.conf``);
* the template's example module ``RibbonMyAddin`` replaced by
  ``macros/cdht.bas`` (module ``RibbonCDHT``: ribbon callbacks that only call
  ``RunPython``);
* the ribbon part ``customUI/customUI.xml`` replaced by ``macros/customUI.xml``.

VBA modules are edited with pyOpenVBA; the other package parts with
``zipfile``. openpyxl and XlsxWriter must never touch the ``.xlam``: they drop
the ribbon relationship or cannot write add-ins at all.

This module is a library: it never prints. Errors are raised with Vietnamese
messages because they reach the people who build and deploy the add-in.
"""

from __future__ import annotations

import keyword
import os
import re
import shutil
import struct
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path


def _pinned_xlwings() -> str:
    """The xlwings version pinned ONCE, in pyproject.toml's ``addin`` extra (read from the installed
    package's metadata, or from pyproject.toml in a source checkout). The VBA module inside the
    add-in declares the same version and must match the xlwings package of the Python that runs
    ``RunPython``; ``build_addin`` refuses to build with any other installed xlwings."""
    from importlib.metadata import PackageNotFoundError, requires

    try:
        reqs = requires("cdht") or []
    except PackageNotFoundError:
        reqs = []
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    if not reqs and pyproject.is_file():
        import tomllib

        extras = tomllib.loads(pyproject.read_text("utf-8"))["project"]["optional-dependencies"]
        reqs = [r for group in extras.values() for r in group]
    for r in reqs:
        m = re.match(r"\s*xlwings\s*==\s*([\w.]+)", r)
        if m:
            return m.group(1)
    raise RuntimeError("pyproject.toml: no 'xlwings==…' pin in the addin extra")


XLWINGS_VERSION = _pinned_xlwings()

#: Name of the built file, without extension, and the xlwings PROJECT_NAME.
DEFAULT_PROJECT_NAME = "cdht"

#: Files inside the installed xlwings package (BSD-3, outside xlwings/pro/).
TEMPLATE_FILE = "quickstart_addin_ribbon.xlam"
XLWINGS_MODULE_FILE = "xlwings_custom_addin.bas"

#: Files in the ``macros`` folder of this repository.
RIBBON_MODULE_FILE = "cdht.bas"
CUSTOMUI_FILE = "customUI.xml"

#: Ribbon part, its namespace and its root relationship (same as the template).
CUSTOMUI_PART = "customUI/customUI.xml"
CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
CUSTOMUI_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"

#: VBA module of xlwings inside the template and the add-in.
XLWINGS_MODULE = "xlwings"

# What the template calls things (checked at build time, so a changed
# template fails loudly instead of producing a half-renamed add-in).
_TEMPLATE_PROJECT_NAME = "myaddin"  # PROJECT_NAME constant of the xlwings module
_TEMPLATE_VBA_PROJECT = "MyAddin"  # VBA project name (VBE: "MyAddin (x.xlam)")
_TEMPLATE_RIBBON_MODULE = "RibbonMyAddin"  # example module with RunMain
_TEMPLATE_CONF_SHEET = "_myaddin.conf"  # inactive settings sheet

_PACKAGE_RELS = "_rels/.rels"
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK_PART = "xl/workbook.xml"
_CORE_PART = "docProps/core.xml"
_VBA_PART = "xl/vbaProject.bin"

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"

#: Shown by Excel in the Add-ins dialog (core property "Title" / "Comments").
ADDIN_TITLE = "Cộng đồng học tập"
ADDIN_DESCRIPTION = (
    "Công cụ tự đánh giá, kiểm tra minh chứng và tổng hợp báo cáo "
    "Cộng đồng học tập theo Thông tư 25/2023."
)

_VERSION_CONST = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]*)"\s*$', re.M)
_PROJECT_CONST = re.compile(r'^(Public Const PROJECT_NAME As String = )"([^"]*)"(\s*)$', re.M)
_VB_NAME = re.compile(r'^Attribute VB_Name = "([^"]+)"\s*$', re.M)
_SUB_DECL = re.compile(r"^\s*(?:Public\s+)?Sub\s+(\w+)\s*\(([^)]*)\)", re.M | re.I)
# A VBA project name (and xlwings PROJECT_NAME): an ASCII identifier short
# enough that the sheet "_<name>.conf" stays within Excel's 31 characters.
_PROJECT_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,24}$")


class AddinBuildError(RuntimeError):
    """The add-in cannot be built from the given sources."""


class XlwingsVersionError(AddinBuildError):
    """The installed xlwings is not the version the add-in is pinned to."""


def default_macros_dir() -> Path:
    """The ``macros`` folder next to the ``addin`` package (repository layout)."""
    repo = Path(__file__).resolve().parent.parent / "macros"
    if repo.is_dir():
        return repo
    try:  # an installed (non-editable) package ships macros/ as the data package cdht_macros
        from importlib.resources import files
        return Path(str(files("cdht_macros")))  # a regular package (macros/__init__.py): one folder
    except (ModuleNotFoundError, TypeError):
        return repo


def xlwings_package_dir() -> Path:
    """Directory of the installed xlwings package (holds the BSD templates)."""
    import xlwings

    return Path(xlwings.__file__).resolve().parent


def check_xlwings_version() -> str:
    """Return the installed xlwings version; raise if it is not the pinned one."""
    import xlwings

    installed = xlwings.__version__
    if installed != XLWINGS_VERSION:
        raise XlwingsVersionError(
            f"Phiên bản xlwings đang cài là {installed}, nhưng add-in được ghim "
            f"xlwings {XLWINGS_VERSION} (pyproject.toml, extra 'addin'). Mô-đun VBA "
            "của add-in phải cùng phiên bản với gói xlwings của Python chạy RunPython: "
            f"cài 'xlwings=={XLWINGS_VERSION}' hoặc sửa chốt phiên bản trong pyproject.toml rồi cài lại."
        )
    return installed


def build_addin(
    out_dir: str | Path,
    project_name: str = DEFAULT_PROJECT_NAME,
    macros_dir: str | Path | None = None,
) -> Path:
    """Build ``<out_dir>/<project_name>.xlam`` and return its path.

    ``project_name`` becomes the xlwings ``PROJECT_NAME`` (settings sheet
    ``<project_name>.conf``, settings file ``%USERPROFILE%\\.<project_name>\\
    <project_name>.conf``), the file name, and, upper-cased, the VBA project
    name. ``macros_dir`` holds ``cdht.bas`` and ``customUI.xml``; by default
    the ``macros`` folder next to the ``addin`` package.

    The output depends only on these inputs and the installed xlwings and
    pyOpenVBA: building twice gives the same bytes.
    """
    if not _PROJECT_NAME_RE.match(project_name) or keyword.iskeyword(project_name):
        raise ValueError(
            f"Tên dự án {project_name!r} không hợp lệ: chỉ dùng chữ cái không dấu, "
            "chữ số và dấu gạch dưới, bắt đầu bằng chữ cái, tối đa 25 ký tự."
        )
    vba_project_name = project_name.upper()

    check_xlwings_version()
    macros = _macros_dir(macros_dir)
    ribbon_source, ribbon_module = _read_ribbon_module(macros / RIBBON_MODULE_FILE)
    if ribbon_module.casefold() == vba_project_name.casefold():
        raise AddinBuildError(
            f"Mô-đun VBA {ribbon_module!r} trùng tên dự án VBA {vba_project_name!r}; "
            "trình soạn VBA không cho phép như vậy."
        )
    customui = _read_customui(macros / CUSTOMUI_FILE, ribbon_module, ribbon_source)

    xlwings_dir = xlwings_package_dir()
    template = xlwings_dir / TEMPLATE_FILE
    if not template.is_file():
        raise AddinBuildError(f"Không tìm thấy mẫu add-in của xlwings: {template}")
    xlwings_source = _xlwings_module_source(xlwings_dir / XLWINGS_MODULE_FILE, project_name)

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"{project_name}.xlam"

    with tempfile.TemporaryDirectory(prefix="cdht-xlam-") as tmp:
        staged = Path(tmp) / "staged.xlam"
        built = Path(tmp) / "built.xlam"
        # 1. Package parts (zipfile): ribbon, relationship, sheet name, titles,
        #    and the VBA project's own name inside vbaProject.bin.
        _write_package(template, staged, customui, project_name, vba_project_name)
        # 2. VBA modules (pyOpenVBA).
        _write_modules(staged, built, xlwings_source, ribbon_module, ribbon_source)
        # 3. Publish atomically next to the target.
        partial = out / f".{target.name}.partial"
        try:
            shutil.copyfile(built, partial)
            os.replace(partial, target)
        finally:
            partial.unlink(missing_ok=True)
    return target


# ---------------------------------------------------------------------------
# Sources
# ---------------------------------------------------------------------------


def _macros_dir(macros_dir: str | Path | None) -> Path:
    path = Path(macros_dir) if macros_dir is not None else default_macros_dir()
    missing = [name for name in (RIBBON_MODULE_FILE, CUSTOMUI_FILE) if not (path / name).is_file()]
    if not path.is_dir() or missing:
        raise FileNotFoundError(
            f"Không tìm thấy thư mục macros hoặc tệp nguồn của add-in trong {path} "
            f"(cần {RIBBON_MODULE_FILE} và {CUSTOMUI_FILE}). Hãy chạy từ mã nguồn của "
            "dự án hoặc truyền macros_dir trỏ tới thư mục macros."
        )
    return path


def _read_ascii_vba(path: Path) -> str:
    """Read a .bas file as ASCII and normalise it to CRLF, as the VBE stores it."""
    raw = path.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise AddinBuildError(
            f"{path} có ký tự không phải ASCII ở dòng {line}. Mã VBA phải là ASCII "
            "(tiếng Việt trong VBA sẽ thành '?'); hãy đưa chữ tiếng Việt vào "
            "customUI.xml hoặc Python."
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.endswith("\n"):
        text += "\n"
    return text.replace("\n", "\r\n")


def _read_ribbon_module(path: Path) -> tuple[str, str]:
    source = _read_ascii_vba(path)
    match = _VB_NAME.search(source)
    if match is None or not source.startswith("Attribute VB_Name"):
        raise AddinBuildError(f'{path} phải bắt đầu bằng dòng Attribute VB_Name = "...".')
    return source, match.group(1)


def _read_customui(path: Path, ribbon_module: str, ribbon_source: str) -> bytes:
    """Return the ribbon XML bytes after checking they fit the VBA module."""
    data = path.read_bytes()
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise AddinBuildError(f"{path} không phải XML hợp lệ: {exc}") from None
    if root.tag != f"{{{CUSTOMUI_NS}}}customUI":
        raise AddinBuildError(
            f"{path}: phần tử gốc phải là customUI với namespace {CUSTOMUI_NS} "
            f"(phần {CUSTOMUI_PART}), nhưng là {root.tag}."
        )
    subs = {name.casefold() for name, _ in _SUB_DECL.findall(ribbon_source)}
    for element in root.iter():
        action = element.get("onAction")
        if action is None:
            continue
        module, _, sub = action.rpartition(".")
        if (module and module.casefold() != ribbon_module.casefold()) or sub.casefold() not in subs:
            raise AddinBuildError(
                f"{path}: onAction={action!r} của nút {element.get('id')!r} không "
                f"trỏ tới Sub nào của mô-đun {ribbon_module}."
            )
    return data


def _xlwings_module_source(path: Path, project_name: str) -> str:
    """xlwings' custom add-in module with our PROJECT_NAME, version checked."""
    source = _read_ascii_vba(path)
    versions = _VERSION_CONST.findall(source)
    if versions != [XLWINGS_VERSION]:
        raise XlwingsVersionError(
            f"{path} khai báo XLWINGS_VERSION {versions}, không phải {XLWINGS_VERSION}."
        )
    source, count = _PROJECT_CONST.subn(rf'\g<1>"{project_name}"\g<3>', source)
    if count != 1:
        raise AddinBuildError(f"{path}: không tìm thấy đúng một hằng PROJECT_NAME để đặt tên dự án.")
    return source


# ---------------------------------------------------------------------------
# Package parts (zipfile)
# ---------------------------------------------------------------------------


def _write_package(
    template: Path, dest: Path, customui: bytes, project_name: str, vba_project_name: str
) -> None:
    """Copy the template to ``dest`` with the ribbon and names replaced."""
    with zipfile.ZipFile(template) as src:
        names = src.namelist()
        for required in (_PACKAGE_RELS, _CONTENT_TYPES, _WORKBOOK_PART, _VBA_PART):
            if required not in names:
                raise AddinBuildError(f"Mẫu add-in {template} thiếu phần {required}.")
        rels_xml, ribbon_part = _with_ribbon_relationship(src.read(_PACKAGE_RELS))
        edits: dict[str, bytes] = {
            _PACKAGE_RELS: rels_xml,
            _CONTENT_TYPES: _with_xml_content_type(src.read(_CONTENT_TYPES), ribbon_part),
            _WORKBOOK_PART: _with_conf_sheet(src.read(_WORKBOOK_PART), project_name),
            _VBA_PART: _rename_vba_project(src.read(_VBA_PART), vba_project_name),
            ribbon_part: customui,
        }
        if _CORE_PART in names:
            edits[_CORE_PART] = _with_titles(src.read(_CORE_PART))
        with zipfile.ZipFile(dest, "w") as out:
            written = set()
            for info in src.infolist():
                data = edits.get(info.filename)
                if data is None:
                    data = src.read(info.filename)
                out.writestr(_copy_info(info), data)
                written.add(info.filename)
            for name in sorted(set(edits) - written):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(info, edits[name])


def _copy_info(info: zipfile.ZipInfo) -> zipfile.ZipInfo:
    """A fresh ZipInfo with the template entry's name, time and compression."""
    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
    copy.compress_type = info.compress_type
    copy.external_attr = info.external_attr
    copy.create_system = info.create_system
    return copy


def _with_ribbon_relationship(rels: bytes) -> tuple[bytes, str]:
    """Ensure the package has the ribbon relationship; return rels and the part name.

    The template already relates ``customUI/customUI.xml``; then the bytes are
    kept. A relationship pointing elsewhere is retargeted; a missing one added.
    """
    root = ET.fromstring(rels)
    ribbon = [r for r in root if r.get("Type") == CUSTOMUI_REL_TYPE]
    if len(ribbon) == 1 and ribbon[0].get("Target", "").lstrip("/") == CUSTOMUI_PART:
        return rels, CUSTOMUI_PART
    text = rels.decode("utf-8")
    # Remove every existing ribbon relationship, then add ours.
    text = re.sub(
        r"<Relationship\b[^>]*\bType=\"" + re.escape(CUSTOMUI_REL_TYPE) + r"\"[^>]*/>", "", text
    )
    used = {r.get("Id") for r in root}
    n = 1
    while f"rId{n}" in used:
        n += 1
    rel = f'<Relationship Id="rId{n}" Type="{CUSTOMUI_REL_TYPE}" Target="{CUSTOMUI_PART}" />'
    if "</Relationships>" not in text:
        raise AddinBuildError(f"{_PACKAGE_RELS} của mẫu add-in không đọc được.")
    text = text.replace("</Relationships>", rel + "</Relationships>", 1)
    ET.fromstring(text)  # still well-formed
    return text.encode("utf-8"), CUSTOMUI_PART


def _with_xml_content_type(content_types: bytes, part: str) -> bytes:
    """Ensure ``part`` has a content type (the template's Default for .xml covers it)."""
    root = ET.fromstring(content_types)
    for element in root:
        if element.tag == f"{{{_CT_NS}}}Default" and element.get("Extension", "").lower() == "xml":
            return content_types
        if element.tag == f"{{{_CT_NS}}}Override" and element.get("PartName") == "/" + part:
            return content_types
    override = f'<Override PartName="/{part}" ContentType="application/xml" />'
    text = content_types.decode("utf-8").replace("</Types>", override + "</Types>", 1)
    return text.encode("utf-8")


def _with_conf_sheet(workbook: bytes, project_name: str) -> bytes:
    """Rename the template's inactive settings sheet to ``_<project>.conf``.

    The leading underscore keeps it inactive, as in the template: xlwings only
    reads a sheet named exactly ``<project>.conf``, and an active sheet with
    empty values would hide the settings file beside the workbook and the
    user's settings file.
    """
    text = workbook.decode("utf-8")
    old = f'name="{_TEMPLATE_CONF_SHEET}"'
    if text.count(old) != 1:
        raise AddinBuildError(f"Mẫu add-in không có đúng một trang {_TEMPLATE_CONF_SHEET}.")
    return text.replace(old, f'name="_{project_name}.conf"').encode("utf-8")


def _with_titles(core: bytes) -> bytes:
    """Set Title and Comments, which Excel's Add-ins dialog shows."""
    from xml.sax.saxutils import escape

    text = core.decode("utf-8")
    for tag, value in (("dc:title", ADDIN_TITLE), ("dc:description", ADDIN_DESCRIPTION)):
        element = f"<{tag}>{escape(value)}</{tag}>"
        text, count = re.subn(rf"<{tag}\s*/>|<{tag}>.*?</{tag}>", element, text, count=1, flags=re.S)
        if count == 0:
            text = text.replace("</cp:coreProperties>", element + "</cp:coreProperties>", 1)
    return text.encode("utf-8")


def _rename_vba_project(vba_bin: bytes, new_name: str) -> bytes:
    """Rename the VBA project (VBE "Project Name") from ``MyAddin`` to ``new_name``.

    The name lives in two places ([MS-OVBA] 2.3.1.1 and 2.3.4.2.1.6): the
    ``Name="..."`` line of the PROJECT stream and the PROJECTNAME record of the
    ``VBA/dir`` stream. pyOpenVBA has no call for it, so both streams are
    rewritten with its CFB reader/writer and MS-OVBA (de)compressor; the
    performance cache is invalidated afterwards when the modules are saved.
    """
    from pyopenvba.cfb import CFB
    from pyopenvba.vba import compress, decompress

    cfb = CFB.from_bytes(vba_bin)

    project = cfb.get_stream("PROJECT")
    old_line = f'\r\nName="{_TEMPLATE_VBA_PROJECT}"\r\n'.encode("ascii")
    if project.count(old_line) != 1:
        raise AddinBuildError(f"Luồng PROJECT của mẫu không có tên dự án {_TEMPLATE_VBA_PROJECT}.")
    new_line = f'\r\nName="{new_name}"\r\n'.encode("ascii")
    cfb.write_stream("PROJECT", project.replace(old_line, new_line))

    dir_raw = decompress(cfb.get_stream_in_storage("VBA", "dir"))
    pos = 0
    while pos + 6 <= len(dir_raw):
        record_id, size = struct.unpack_from("<HI", dir_raw, pos)
        if record_id == 0x0004:  # PROJECTNAME: Id, SizeOfProjectName, ProjectName
            old = dir_raw[pos + 6 : pos + 6 + size]
            if old != _TEMPLATE_VBA_PROJECT.encode("ascii"):
                raise AddinBuildError(f"Bản ghi PROJECTNAME của mẫu là {old!r}.")
            encoded = new_name.encode("ascii")
            dir_raw = (
                dir_raw[:pos]
                + struct.pack("<HI", 0x0004, len(encoded))
                + encoded
                + dir_raw[pos + 6 + size :]
            )
            break
        if record_id not in (0x0001, 0x004A, 0x0002, 0x0014, 0x0003):
            # Only fixed-size records may precede PROJECTNAME ([MS-OVBA] 2.3.4.2.1).
            raise AddinBuildError(f"Luồng VBA/dir của mẫu có bản ghi 0x{record_id:04X} lạ.")
        pos += 6 + size
    else:
        raise AddinBuildError("Luồng VBA/dir của mẫu không có bản ghi PROJECTNAME.")
    cfb.write_stream_in_storage("VBA", "dir", compress(dir_raw))
    return cfb.to_bytes()


# ---------------------------------------------------------------------------
# VBA modules (pyOpenVBA)
# ---------------------------------------------------------------------------


def _write_modules(
    staged: Path, dest: Path, xlwings_source: str, ribbon_module: str, ribbon_source: str
) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(staged) as book:
        names = book.module_names()
        for required in (XLWINGS_MODULE, _TEMPLATE_RIBBON_MODULE):
            if required not in names:
                raise AddinBuildError(f"Mẫu add-in không có mô-đun VBA {required!r} (có: {names}).")
        book.set_module(XLWINGS_MODULE, xlwings_source)
        if ribbon_module != _TEMPLATE_RIBBON_MODULE:
            book.vba_project().rename_module(_TEMPLATE_RIBBON_MODULE, ribbon_module)
        book.set_module(ribbon_module, ribbon_source)
        book.save(dest)
    # Read the result back: pending renames are only checkable once written.
    with ExcelFile(dest) as book:
        problems = book.validate()
        if problems:
            raise AddinBuildError("Dự án VBA không nhất quán: " + "; ".join(problems))
