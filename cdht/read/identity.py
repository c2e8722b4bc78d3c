"""Is a submitted workbook the one the Sở issued, for the unit and year it says? (issue 12)

Three checks, from the weakest to the strongest:

1. **Cells against the issued metadata** (always): a workbook issued for a registry unit carries
   its name, year and disadvantaged-area status ("Xã thuộc vùng khó khăn") in locked cells and in
   ``_meta``. A locked cell re-typed behind the protection is CDHT-P032, and the issued value is
   the one evaluated — so a commune listed "Không" cannot lower its own xa.5.2 bar.
2. **Against the province profile** (``profile`` given): the workbook's registry facts — code,
   tier, name, parent, disadvantaged status, expected lower units, in that year — are compared with
   the profile's registry; a difference is CDHT-P030 naming both values, a unit not in that year's
   registry CDHT-P031. The profile's value is the one evaluated.
3. **The Sở's signature** (the profile has a ``public_key``): the Ed25519 signature in ``_meta``
   over identity, registry facts and layout digest (:func:`cdht.signing.signed_payload`) must
   verify: missing is CDHT-P029, not matching CDHT-P019 (e.g. a 2025 workbook relabelled 2026).

Without a key only the unkeyed layout fingerprint and checks 1–2 stand: anyone with this software
can rewrite ``_meta`` consistently, so they show mistakes and casual edits, not forgery.
"""
from __future__ import annotations

import json

from cdht import contract as L
from cdht import rules as R
from cdht.messages import nfc

SIGNATURE_VALID = "valid"          # verified against the profile's public key
SIGNATURE_INVALID = "invalid"      # present, does not verify: refused (CDHT-P019)
SIGNATURE_MISSING = "missing"      # the profile has a key, the workbook no signature (CDHT-P029)
SIGNATURE_UNCHECKED = "unchecked"  # signed, but no key to check it with (no profile, or no key in it)
SIGNATURE_NONE = "none"            # unsigned, and nothing asked for a signature
YEAR_RELABELLED = "year_relabelled"  # key of Submission.identity: _meta's year is not the locked cells'

_FACT_LABELS = {"tier": "Cấp", "unit_name": "Tên đơn vị", "parent_code": "Mã đơn vị cấp trên",
                "disadvantaged": "Xã thuộc vùng khó khăn", "children": "Đơn vị cấp dưới", "year": "Năm đánh giá"}


def _text(v) -> str:
    return " ".join(nfc(str(v)).split()) if v not in (None, "") else ""


def issued_facts(meta: dict) -> dict:
    """The registry facts a workbook was issued with (empty for a blank template)."""
    if not meta.get("unit_code"):
        return {}
    out = {"unit_code": meta.get("unit_code", ""), "unit_name": meta.get("unit_name", ""),
           "parent_code": meta.get("parent_code", ""), "parent_name": meta.get("parent_name", ""),
           "disadvantaged": meta.get("disadvantaged", ""), "profile": meta.get("profile", "")}
    try:
        children = json.loads(meta.get("children") or "[]")
    except (json.JSONDecodeError, RecursionError):
        children = meta.get("children")
    # a list of codes as issued; anything else (a hostile or broken _meta) as its text, one "code"
    out["children"] = children if isinstance(children, list) and all(isinstance(c, str) for c in children) \
        else [str(children)]
    return out


def check_identity(sub, rb, profile=None) -> None:
    """Run the checks above on a readable submission ``sub`` (its raw read ``rb``), adding coded
    findings, overriding the evaluated disadvantaged status with the issued / registry one and
    recording the facts in ``sub.identity`` (the JSON of ``check``/``compute``)."""
    from cdht.read.submission import cell_value

    issued = issued_facts(sub.meta)
    sub.identity = {"issued": issued, "profile": profile.name if profile is not None else None,
                    "signed": bool(sub.meta.get("signature")), "signature": SIGNATURE_NONE,
                    "disadvantaged_used": None, "disadvantaged_source": None}
    if sub.meta.get("signature"):
        sub.identity["signature"] = SIGNATURE_UNCHECKED
    _check_year_cell(sub, rb, cell_value)
    if sub.meta.get("unit_name") and sub.unit_name is not None and _text(sub.unit_name) != _text(sub.meta["unit_name"]):
        _cell_differs(sub, L.N_UNIT_NAME, "Tên đơn vị", sub.unit_name, sub.meta["unit_name"])
    if L.N_DISADVANTAGED in sub.tier.fields:
        sub.identity["disadvantaged_source"] = "workbook"
        issued_value = sub.meta.get("disadvantaged") or ""
        if issued.get("unit_code") and issued_value in (R.CO, R.KHONG):
            if sub.values.get(L.N_DISADVANTAGED) != issued_value:
                _cell_differs(sub, L.N_DISADVANTAGED, "Xã thuộc vùng khó khăn",
                              sub.values.get(L.N_DISADVANTAGED), issued_value)
            sub.values[L.N_DISADVANTAGED] = issued_value
            sub.identity["disadvantaged_source"] = "issued"
    if profile is not None:
        _check_signature(sub, profile)
        _check_registry(sub, profile)
    if L.N_DISADVANTAGED in sub.tier.fields:
        sub.identity["disadvantaged_used"] = sub.values.get(L.N_DISADVANTAGED)


def _cell_differs(sub, name: str, label: str, found, issued) -> None:
    sheet, cell = sub.where(name)
    sub.add("CDHT-P032", sheet=sheet, cell=cell, label=label, found="(trống)" if found in (None, "") else found,
            issued=issued)
    sub.tampered = True


def _check_year_cell(sub, rb, cell_value) -> None:
    """The year printed in the locked year cell (and in the template id) is the year of ``_meta``:
    a workbook relabelled in its hidden metadata only is caught even without a key."""
    v, present = cell_value(rb, sub, L.N_YEAR)
    if present and isinstance(v, (int, float)) and not isinstance(v, bool) and v != sub.year:
        _cell_differs(sub, L.N_YEAR, "Năm đánh giá", int(v) if float(v).is_integer() else v, sub.year)
        sub.identity[YEAR_RELABELLED] = True
        return
    parts = (sub.meta.get("template_id") or "").split(":")
    if len(parts) >= 4 and parts[3].isdigit() and int(parts[3]) != sub.year:
        sheet, _ = sub.where(L.N_YEAR)
        sub.add("CDHT-P032", sheet=L.SHEET_META, cell="template_id", label="Năm trong mã biểu mẫu",
                found=parts[3], issued=sub.year)
        sub.tampered = True
        sub.identity[YEAR_RELABELLED] = True


def _check_signature(sub, profile) -> None:
    from cdht.signing import signed_payload, verify

    key = profile.spec.public_key
    if not key:
        return
    signature = sub.meta.get("signature") or ""
    if not signature:
        sub.identity["signature"] = SIGNATURE_MISSING
        sub.add("CDHT-P029", profile=profile.name)
        sub.tampered = True
    elif verify(signed_payload(sub.meta), signature, key):
        sub.identity["signature"] = SIGNATURE_VALID
    else:
        sub.identity["signature"] = SIGNATURE_INVALID
        sub.add("CDHT-P019", profile=profile.name)
        sub.tampered = True


def _check_registry(sub, profile) -> None:
    """The workbook's registry facts against the profile's registry of its year."""
    code, year = sub.unit_code, sub.year
    if not code:
        return
    unit = profile.unit(code, year)
    if unit is None:
        sub.add("CDHT-P031", unit=code, tier=sub.tier.name.lower(), profile=profile.name, year=year)
        sub.tampered = True
        return
    meta = sub.meta
    issued = bool(meta.get("unit_name"))  # issued for a unit: parent and lower units are facts too
    facts = [("tier", sub.tier.code, unit.tier), ("unit_name", sub.unit_name or meta.get("unit_name"), unit.name)]
    if issued:
        facts.append(("parent_code", meta.get("parent_code", ""), unit.parent or ""))
        expected = sorted(u.code for u in profile.children(code, year))
        found = sorted(issued_facts(meta).get("children") or [])
        if sub.tier.children and found != expected:
            facts.append(("children", ", ".join(found) or "(không có)", ", ".join(expected) or "(không có)"))
    registry_dis = R.CO if unit.disadvantaged else R.KHONG
    if L.N_DISADVANTAGED in sub.tier.fields:
        facts.append(("disadvantaged", sub.values.get(L.N_DISADVANTAGED), registry_dis))
    elif meta.get("disadvantaged"):
        facts.append(("disadvantaged", meta.get("disadvantaged"), registry_dis))
    for key, found, expected in facts:
        if key == "disadvantaged" and found in (None, ""):
            continue  # left empty (already W016): the registry's value is simply used
        if _text(found) != _text(expected):
            sheet, cell = sub.where({"unit_name": L.N_UNIT_NAME, "disadvantaged": L.N_DISADVANTAGED}.get(key, ""))
            sub.add("CDHT-P030", sheet=sheet, cell=cell, fact=_FACT_LABELS[key], unit=code,
                    found=_text(found) or "(trống)", expected=_text(expected) or "(trống)",
                    profile=profile.name, year=year)
            sub.tampered = True
    if L.N_DISADVANTAGED in sub.tier.fields:
        sub.values[L.N_DISADVANTAGED] = registry_dis
        sub.identity["disadvantaged_source"] = "profile"
