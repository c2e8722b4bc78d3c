"""LibreOffice as the oracle of what a person's typing becomes: text typed into cells of a workbook,
through Calc's own input parsing (``XCell.setFormula``, the path of the input line: a typed
``12/2024`` becomes a date in a General cell and stays text in a Text-formatted one), saved as
xlsx for the test to read back.

Calc runs headless with a private, throw-away profile and listens on a pipe; the client is the
system Python's UNO bridge (``python3-uno``, which Debian's LibreOffice recommends and CI's
``apt-get install`` brings along). :func:`available` says whether both are here.
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import uuid
from pathlib import Path

from scripts.libreoffice import soffice_path

SYSTEM_PYTHON = "/usr/bin/python3"

_CLIENT = r'''
import json, sys, time
import uno
from com.sun.star.beans import PropertyValue

def prop(name, value):
    p = PropertyValue(); p.Name, p.Value = name, value; return p

pipe, src, out, cells = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
deadline = time.time() + 60
while True:
    try:
        ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        if time.time() > deadline:
            raise
        time.sleep(0.3)
desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
try:
    frame = doc.CurrentController.Frame
    dispatcher = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
    for sheet, coord, text in cells:  # as a person types: go to the cell, enter the text
        doc.CurrentController.setActiveSheet(doc.Sheets.getByName(sheet))
        dispatcher.executeDispatch(frame, ".uno:GoToCell", "", 0, (prop("ToPoint", coord),))
        dispatcher.executeDispatch(frame, ".uno:EnterString", "", 0, (prop("StringName", text),))
    doc.storeToURL(uno.systemPathToFileUrl(out), (prop("FilterName", "Calc Office Open XML"),))
finally:
    try:  # (LibreOffice may end the bridge while it closes: the file is stored by then)
        doc.close(True)
        desktop.terminate()
    except Exception:
        pass
'''


# The locale of a Vietnamese user's office suite (vi-VN: day/month/year dates, a decimal comma),
# as LibreOffice's user profile sets it.
_LOCALE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>vi-VN</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooLocale" oor:op="fuse"><value>vi-VN</value></prop></item>
</oor:items>
"""


def available() -> bool:
    """LibreOffice and the system Python's UNO bridge are both installed."""
    if soffice_path() is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True).returncode == 0


def type_into(src: Path, out: Path, cells: list[tuple[str, str, str]], timeout: float = 180) -> Path:
    """``src`` with each ``(sheet, cell, text)`` typed in by LibreOffice Calc, saved to ``out``.
    Raises RuntimeError (with LibreOffice's output) when it fails or times out."""
    profile = Path(tempfile.mkdtemp(prefix="cdht-lo-typing-"))
    (profile / "user").mkdir()
    (profile / "user" / "registrymodifications.xcu").write_text(_LOCALE_XCU, encoding="utf-8")
    work = profile / Path(src).name  # (LibreOffice's lock file goes beside this copy, never beside src)
    shutil.copyfile(src, work)
    pipe = f"cdht{uuid.uuid4().hex}"
    office = subprocess.Popen(
        [soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
         "--norestore", "--nologo", f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
        env={**os.environ, "HOME": str(profile)})
    try:
        client = subprocess.run(
            [SYSTEM_PYTHON, "-c", _CLIENT, pipe, str(work), str(Path(out).resolve()), json.dumps(cells)],
            capture_output=True, text=True, timeout=timeout)
        if client.returncode != 0 or not Path(out).is_file():
            raise RuntimeError(f"LibreOffice typing failed ({client.returncode}):\n{client.stdout}\n{client.stderr}")
        return Path(out)
    finally:
        try:
            office.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(office.pid, signal.SIGKILL)
            office.wait()
        shutil.rmtree(profile, ignore_errors=True)
