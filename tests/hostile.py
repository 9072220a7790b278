"""A corpus of hostile inputs, generated (no binaries are committed): PDFs written object by
object, zips built member by member. `python -m tests.hostile DIR` writes them all to DIR.

Each maker returns bytes; the tests that use them say what the product must do with each.
"""

from __future__ import annotations

import io
import sys
import zipfile
import zlib
from pathlib import Path

# --- PDFs ---

FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"


def _escape(text: str) -> bytes:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")


def text_ops(text: str, x: float = 72, y: float = 720, size: float = 11, extra: str = "") -> bytes:
    """Content-stream operators that show `text` at (x, y); `extra` goes before it (colour...)."""
    return (
        f"BT {extra} /F1 {size:g} Tf {x:g} {y:g} Td ".encode() + b"(" + _escape(text) + b") Tj ET\n"
    )


def lines_ops(lines: list[str], top: float = 720, size: float = 11) -> bytes:
    return b"".join(text_ops(t, 72, top - i * 14, size) for i, t in enumerate(lines))


def pdf(
    pages: list[bytes],
    *,
    xobjects: list[bytes] | None = None,
    compress: bool = False,
    to_unicode: bytes | None = None,
    image: bool = False,
) -> bytes:
    """A PDF whose pages draw the given content streams with Helvetica as /F1; `xobjects` are
    form XObjects every page may draw as /X0, /X1, ...; `to_unicode` is /F1's ToUnicode CMap;
    `image` adds a one-pixel grey image every page may draw as /Im0 (a scan, as far as a reader
    of the file can tell)."""
    objs: list[bytes] = []

    def add(body: bytes) -> int:
        objs.append(body)
        return len(objs)

    def stream(data: bytes, head: bytes = b"") -> bytes:
        if compress:
            data = zlib.compress(data, 9)
            head += b" /Filter /FlateDecode"
        return b"<< " + head + b" /Length %d >>\nstream\n" % len(data) + data + b"\nendstream"

    if to_unicode is None:
        font = add(FONT)
    else:
        cmap = add(stream(to_unicode))
        font = add(FONT[:-2] + b" /ToUnicode %d 0 R >>" % cmap)
    forms = [
        add(stream(x, b"/Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources RES"))
        for x in xobjects or []
    ]
    names = b" ".join(b"/X%d %d 0 R" % (i, n) for i, n in enumerate(forms))
    if image:
        im = add(
            b"<< /Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
            b"/BitsPerComponent 8 /Length 1 >>\nstream\n\x80\nendstream"
        )
        names += b" /Im0 %d 0 R" % im
    res = b"<< /Font << /F1 %d 0 R >> /XObject << %s >> >>" % (font, names)
    objs[:] = [o.replace(b"RES", res) for o in objs]
    pages_id = len(objs) + 1 + 2 * len(pages)
    kids = []
    for content in pages:
        c = add(stream(content))
        kids.append(
            add(
                b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources %s "
                b"/Contents %d 0 R >>" % (pages_id, res, c)
            )
        )
    assert (
        add(
            b"<< /Type /Pages /Kids [%s] /Count %d >>"
            % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
        )
        == pages_id
    )
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1))
    out.writelines(b"%010d 00000 n \n" % o for o in offsets)
    out.write(
        b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
        % (len(objs) + 1, catalog, xref)
    )
    return out.getvalue()


CONTRACT = [
    "MASTER SERVICES AGREEMENT",
    "This Agreement is made between Alpha Corp (the Customer) and Beta LLC (the Supplier).",
    "1. Term. This Agreement starts on the Effective Date and runs for two years.",
    "2. Payment. The Customer shall pay each invoice within thirty days of receipt.",
    "3. Governing Law. This Agreement is governed by the laws of the State of New York.",
    "4. Termination. Either party may terminate this Agreement on ninety days written notice.",
]
HIDDEN = "The Supplier's total liability is unlimited and the Customer may terminate at any time."


def contract_pdf(word: str = "Alpha") -> bytes:
    """A small plain contract; `word` names the customer (same length: same file size)."""
    return pdf([lines_ops([line.replace("Alpha", word) for line in CONTRACT])])


def invisible_text_pdfs() -> dict[str, bytes]:
    """The contract with one sentence a reader cannot see, in each way a PDF can hide it."""
    visible = lines_ops(CONTRACT)
    ways = {
        "white": text_ops(HIDDEN, 72, 600, extra="1 1 1 rg"),
        "offpage": text_ops(HIDDEN, 2000, 600),
        "zerosize": text_ops(HIDDEN, 72, 600, size=0),
        "render3": text_ops(HIDDEN, 72, 600, extra="3 Tr"),
        "tiny": text_ops(HIDDEN, 72, 600, size=0.4),
    }
    return {f"hidden_{k}.pdf": pdf([visible + v]) for k, v in ways.items()}


SURROGATE_CMAP = b"""/CIDInit /ProcSet findresource begin 12 dict begin begincmap
/CMapName /Lone def /CMapType 2 def
1 begincodespacerange <00> <FF> endcodespacerange
1 beginbfchar <5A> <D800> endbfchar
endcmap CMapName currentdict /CMap defineresource pop end end"""


def lone_surrogate_pdf() -> bytes:
    """The contract, whose font maps the letter Z to a lone UTF-16 surrogate (not a character)."""
    body = lines_ops(CONTRACT) + text_ops("ZZ Zone ZZ", 72, 500)
    return pdf([body], to_unicode=SURROGATE_CMAP)


def searchable_scan_pdf() -> bytes:
    """A scanned page with its OCR text layer drawn invisibly over the image, as scanners do."""
    layer = b"".join(text_ops(t, 72, 720 - i * 14, extra="3 Tr") for i, t in enumerate(CONTRACT))
    return pdf([b"q 612 0 0 792 0 0 cm /Im0 Do Q\n" + layer], image=True)


def slow_pdf(depth: int = 6, fan: int = 10, pages: int = 64) -> bytes:
    """Form XObjects that each draw the next one `fan` times, on every page: pypdf follows 5,000
    of them per page (seconds each), so a few KB of PDF takes minutes to read."""
    forms = []
    for i in range(depth):
        if i == depth - 1:
            forms.append(text_ops("word " * 20))
        else:
            forms.append(b"q /X%d Do Q\n" % (i + 1) * fan)
    return pdf([lines_ops(CONTRACT) + b"/X0 Do\n"] * pages, xobjects=forms, compress=True)


def bomb_pdf(mb: int = 300) -> bytes:
    """One page whose content stream inflates from ~0.3 MB to `mb` MB of spaces."""
    return pdf([lines_ops(CONTRACT) + b" " * (mb * 1024 * 1024)], compress=True)


# --- zips ---


def zip_bytes(
    members: list[tuple[zipfile.ZipInfo | str, bytes]], method: int = zipfile.ZIP_DEFLATED
) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as zf:
        for info, data in members:
            zf.writestr(info, data)
    return buf.getvalue()


def duplicate_member_zip() -> bytes:
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of the duplicate name: that is the point
        return zip_bytes([("a.pdf", contract_pdf("Alpha")), ("a.pdf", contract_pdf("Gamma"))])


def long_name_zip() -> bytes:
    return zip_bytes([("ok.pdf", contract_pdf()), ("x" * 300 + ".pdf", contract_pdf())])


def clash_zip() -> bytes:
    """A file `deals` and a folder `deals/` holding a contract."""
    return zip_bytes(
        [("ok.pdf", contract_pdf()), ("deals", b"plain file"), ("deals/a.pdf", contract_pdf())]
    )


def encrypted_member_zip() -> bytes:
    """A member flagged as encrypted (traditional PKWARE encryption), beside a plain one."""
    raw = bytearray(zip_bytes([("ok.pdf", contract_pdf()), ("secret.pdf", contract_pdf("Gamma"))]))
    # Set bit 0 (encrypted) of secret.pdf's flags in its local header and its central entry.
    name = b"secret.pdf"
    for sig, flag_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = raw.find(sig)
        while i != -1:
            n_at = 30 if sig == b"PK\x03\x04" else 46
            if raw[i + n_at : i + n_at + len(name)] == name:
                raw[i + flag_at] |= 1
            i = raw.find(sig, i + 4)
    return bytes(raw)


def unsupported_compression_zip() -> bytes:
    """A member compressed with a method zipfile cannot read (PPMd, method 98)."""
    raw = bytearray(
        zip_bytes(
            [("ok.pdf", contract_pdf()), ("odd.pdf", contract_pdf("Gamma"))], zipfile.ZIP_STORED
        )
    )
    name = b"odd.pdf"
    for sig, method_at, n_at in ((b"PK\x03\x04", 8, 30), (b"PK\x01\x02", 10, 46)):
        i = raw.find(sig)
        while i != -1:
            if raw[i + n_at : i + n_at + len(name)] == name:
                raw[i + method_at : i + method_at + 2] = (98).to_bytes(2, "little")
            i = raw.find(sig, i + 4)
    return bytes(raw)


def bomb_zip(members: int = 3, mb: int = 64) -> bytes:
    """Members of zeros: a few hundred KB that expand to `members` x `mb` MB."""
    return zip_bytes(
        [(f"big{i}.pdf", b"%PDF-1.4\n" + b"\0" * (mb * 1024 * 1024)) for i in range(members)]
    )


def alias_bomb_yaml(levels: int = 9) -> str:
    """A playbook whose YAML aliases expand each level nine-fold (the 'billion laughs')."""
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        prev = f"*a{i - 1}"
        lines.append(f"a{i}: &a{i} [{', '.join([prev] * 9)}]")
    lines.append("name: bomb")
    lines.append(f"rules: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def corpus() -> dict[str, bytes]:
    """Every hostile file by name."""
    files = {
        "contract.pdf": contract_pdf(),
        "surrogate.pdf": lone_surrogate_pdf(),
        "slow.pdf": slow_pdf(),
        "bomb.pdf": bomb_pdf(),
        "duplicate.zip": duplicate_member_zip(),
        "longname.zip": long_name_zip(),
        "clash.zip": clash_zip(),
        "encrypted_member.zip": encrypted_member_zip(),
        "ppmd.zip": unsupported_compression_zip(),
        "bomb.zip": bomb_zip(),
        "aliases.yaml": alias_bomb_yaml().encode(),
    }
    files.update(invisible_text_pdfs())
    return files


if __name__ == "__main__":
    dest = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile")
    dest.mkdir(parents=True, exist_ok=True)
    for name, data in corpus().items():
        (dest / name).write_bytes(data)
        print(f"{name}: {len(data)} bytes")
