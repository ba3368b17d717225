"""Validate a 270 against the 005010X279A1 TR3 rules with pyx12's validator (pyx12.x12n_document, the engine of
the `x12valid` command).

pyx12 4.0.0 ships no 005010X279A1 map (its maps.xml names a 5010 270 map it does not carry). The map used here is
made at test time from the 4010 X092A1 map that pyx12 does ship (the same loops, segments, elements, lengths and
code lists) with the 5010 changes a 270 of ours meets: ISA12 00501 and ISA11 the repetition separator, GS08 and
ST03 005010X279A1, DTP*291 (plan date) in 2100C/2100D, and the 5010 service type codes we ask for. Nothing is
vendored: the map is rewritten into a temporary folder beside a copy of pyx12's own maps.
"""

from __future__ import annotations

import io
import logging
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pyx12
import pyx12.error_handler
import pyx12.params
import pyx12.x12n_document

IMPLEMENTATION = "005010X279A1"
MAP_NAME = "270.5010.X279.A1.xml"
EXTRA_SERVICE_TYPES = ("BZ", "BY", "UC", "MH", "A4", "A6", "PT")


def _codes(element: ET.Element, codes: list[str] | None) -> None:
    existing = element.find("valid_codes")
    if existing is not None:
        element.remove(existing)
    if codes is None:
        return
    valid = ET.SubElement(element, "valid_codes")
    for code in codes:
        ET.SubElement(valid, "code").text = code


def _add_codes(element: ET.Element, codes: tuple[str, ...]) -> None:
    valid = element.find("valid_codes")
    if valid is None:
        return
    have = {c.text for c in valid.findall("code")}
    for code in codes:
        if code not in have:
            ET.SubElement(valid, "code").text = code


def _element(root: ET.Element, xid: str) -> list[ET.Element]:
    return root.findall(f".//element[@xid='{xid}']")


def build_map_folder(folder: Path) -> Path:
    """pyx12's maps plus a 005010X279A1 270 map, in `folder`."""
    source = Path(pyx12.__file__).parent / "map"
    folder.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file():
            shutil.copy(path, folder / path.name)
    tree = ET.parse(source / "270.4010.X092.A1.xml")
    root = tree.getroot()
    root.find("name").text = "HIPAA Health Care Eligibility Inquiry X279A1-270"  # type: ignore[union-attr]
    for element in _element(root, "ISA11"):
        _codes(element, None)  # 5010: the repetition separator
    for element in _element(root, "ISA12"):
        _codes(element, ["00501"])
    for element in _element(root, "GS08"):
        _codes(element, [IMPLEMENTATION])
    st = root.find(".//segment[@xid='ST']")
    assert st is not None
    st03 = ET.SubElement(st, "element", {"xid": "ST03"})
    for tag, text in (("data_ele", "1705"), ("name", "Implementation Convention Reference"), ("usage", "R"),
                      ("seq", "03")):
        ET.SubElement(st03, tag).text = text
    _codes(st03, [IMPLEMENTATION])
    for element in _element(root, "DTP01"):
        _add_codes(element, ("291",))
    for element in _element(root, "EQ01"):
        _add_codes(element, EXTRA_SERVICE_TYPES)
    tree.write(folder / MAP_NAME, encoding="utf-8", xml_declaration=True)
    maps = (folder / "maps.xml").read_text(encoding="utf-8")
    entry = f'<map vriic="{IMPLEMENTATION}" fic="HS" abbr="270">{MAP_NAME}</map>'
    maps = maps.replace('<version icvn="00501">', f'<version icvn="00501">\n    {entry}', 1)
    (folder / "maps.xml").write_text(maps, encoding="utf-8")
    return folder


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.ERROR:
            self.lines.append(record.getMessage())


def validate_270(text: str, workdir: Path) -> tuple[bool, str]:
    """(valid, the validator's errors and its 999 acknowledgement as text)."""
    folder = workdir / "pyx12-map"
    if not (folder / MAP_NAME).exists():
        build_map_folder(folder)
    params = pyx12.params.params()
    params.set("map_path", str(folder))
    logger = logging.getLogger("pyx12")
    collect = _Collect()
    logger.addHandler(collect)
    ack = io.StringIO()
    try:
        ok = pyx12.x12n_document.x12n_document(params, io.StringIO(text), ack, None, None, map_path=str(folder))
    finally:
        logger.removeHandler(collect)
    report = "\n".join(collect.lines)
    ack_text = ack.getvalue()
    # the 999's IK5/AK9 says A (accepted) only for a clean transaction set
    accepted = "IK5*A" in ack_text and "AK9*A" in ack_text
    return bool(ok) and accepted and not collect.lines, report + "\n" + ack_text
