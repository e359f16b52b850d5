"""Old binary Word files (.doc) and WPS Writer files (.wps): LibreOffice converts them to .docx for the .docx reader;
antiword reads the text when LibreOffice is not installed or fails.

LibreOffice runs headless as a subprocess, one conversion at a time (it cannot share a profile between processes),
with a private profile directory and a timeout; its process group is killed when the time is up.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from pathlib import Path

from wenyuan.clean import split_lines
from wenyuan.readers.base import IngestError, Reading
from wenyuan.readers.docx import read_docx

CONVERT_TIMEOUT_S = 120
INSTALL_HINT = "安装 LibreOffice（bash scripts/setup.sh --full，或 apt-get install libreoffice-writer-nogui antiword）"
_lock = threading.Lock()
_profile: Path | None = None


def soffice() -> str | None:
    """The LibreOffice program, if installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _profile_dir() -> Path:
    global _profile
    if _profile is None:
        _profile = Path(tempfile.mkdtemp(prefix="wenyuan-lo-"))
        atexit.register(shutil.rmtree, _profile, True)
    return _profile


def convert_to_docx(raw: bytes, suffix: str) -> bytes:
    """The file converted to .docx by LibreOffice; raises IngestError on a timeout or a failed conversion."""
    program = soffice()
    if program is None:
        raise IngestError(f"读取 {suffix} 文件需要 LibreOffice：请{INSTALL_HINT}")
    with _lock, tempfile.TemporaryDirectory(prefix="wenyuan-convert-") as work:
        source = Path(work) / f"source{suffix}"  # an ASCII name: file names in other encodings confuse soffice
        source.write_bytes(raw)
        command = [
            program, f"-env:UserInstallation={_profile_dir().as_uri()}", "--headless", "--norestore",
            "--convert-to", "docx:MS Word 2007 XML", "--outdir", work, str(source),
        ]
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, errors = process.communicate(timeout=CONVERT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise IngestError(f"LibreOffice 转换超过 {CONVERT_TIMEOUT_S} 秒，已放弃") from None
        converted = Path(work) / "source.docx"
        if not converted.exists():
            reason = errors.decode("utf-8", "replace").strip().splitlines()[-1:] or ["没有输出"]
            raise IngestError(f"LibreOffice 无法转换（{reason[0]}）")
        return converted.read_bytes()


def read_with_antiword(raw: bytes) -> Reading:
    """The text antiword finds, one paragraph per line; no tables' structure, no automatic numbers."""
    program = shutil.which("antiword")
    if program is None:
        raise IngestError(f"读取 .doc/.wps 文件需要 LibreOffice 或 antiword：请{INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="wenyuan-antiword-") as work:
        source = Path(work) / "source.doc"
        source.write_bytes(raw)
        try:
            result = subprocess.run([program, "-m", "UTF-8.txt", "-w", "0", str(source)], capture_output=True,
                                    timeout=CONVERT_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise IngestError(f"antiword 读取超过 {CONVERT_TIMEOUT_S} 秒，已放弃") from None
    text = result.stdout.decode("utf-8", "replace")
    if result.returncode != 0 or not text.strip():
        reason = result.stderr.decode("utf-8", "replace").strip().splitlines()[:1] or ["没有文字"]
        raise IngestError(f"antiword 无法读取（{reason[0]}）")
    return Reading(split_lines(text), "antiword")


def read_legacy(raw: bytes, suffix: str) -> Reading:
    """A .doc or .wps file: through LibreOffice when installed, else (or when it fails) through antiword."""
    failure = None
    if soffice() is not None:
        try:
            converted = convert_to_docx(raw, suffix)
        except IngestError as error:
            failure = error
        else:
            reading = read_docx(converted)
            reading.reader = "LibreOffice"
            return reading
    try:
        reading = read_with_antiword(raw)
    except IngestError:
        if failure is not None:
            raise failure from None
        raise
    if failure is not None:
        reading.warnings.append(f"{failure}，改用 antiword 读取（无表格结构）")
    elif soffice() is None:
        reading.warnings.append("未安装 LibreOffice，用 antiword 读取（无表格结构和自动编号）")
    return reading
