"""Draw the app icon (a tiny three-layer network) and write it as PNG, ICO and ICNS into resources/.

Run once after changing the drawing; the outputs are committed:
    QT_QPA_PLATFORM=offscreen .venv/bin/python packaging/make_icon.py
"""

from __future__ import annotations

import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QGuiApplication, QImage, QLinearGradient, QPainter, QPen  # noqa: E402

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
LAYERS = (2, 3, 2)  # units per layer, drawn left to right
# Edge colours by sign of a made-up weight, as the app colours weights (warm positive, cool negative).
POSITIVE, NEGATIVE = QColor("#f5a623"), QColor("#4fc3f7")


def node_positions(size: float) -> list[list[QPointF]]:
    """Centres of the units, laid out on a size x size canvas."""
    columns = []
    for i, units in enumerate(LAYERS):
        x = size * (0.24 + 0.26 * i)
        gap = size * 0.25
        top = size / 2 - gap * (units - 1) / 2
        columns.append([QPointF(x, top + gap * j) for j in range(units)])
    return columns


def draw(size: int) -> QImage:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)

    background = QLinearGradient(0, 0, 0, size)
    background.setColorAt(0.0, QColor("#2b3a67"))
    background.setColorAt(1.0, QColor("#141b33"))
    margin = size * 0.04
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(background)
    p.drawRoundedRect(QRectF(margin, margin, size - 2 * margin, size - 2 * margin), size * 0.2, size * 0.2)

    columns = node_positions(size)
    for layer, (left, right) in enumerate(zip(columns, columns[1:])):
        for a, start in enumerate(left):
            for b, end in enumerate(right):
                positive = (a + b + layer) % 2 == 0
                weight = 0.035 if (a + 2 * b) % 3 else 0.05
                p.setPen(QPen(POSITIVE if positive else NEGATIVE, size * weight * 0.5,
                              Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                p.drawLine(start, end)

    radius = size * 0.075
    p.setPen(QPen(QColor("#141b33"), size * 0.02))
    p.setBrush(QColor("#ffffff"))
    for column in columns:
        for centre in column:
            p.drawEllipse(centre, radius, radius)
    p.end()
    return image


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def ico_bytes(sizes=(16, 24, 32, 48, 64, 128, 256)) -> bytes:
    """A Windows .ico holding one PNG per size (Qt's own ICO writer stores a single size)."""
    images = [png_bytes(draw(size)) for size in sizes]
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries, blobs = b"", b""
    for size, blob in zip(sizes, images):
        side = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def icns_bytes() -> bytes:
    """A macOS .icns with one PNG per size (the PNG-payload types macOS reads since 10.7)."""
    kinds = (("icp4", 16), ("icp5", 32), ("icp6", 64), ("ic07", 128), ("ic08", 256), ("ic09", 512), ("ic10", 1024))
    body = b""
    for kind, size in kinds:
        blob = png_bytes(draw(size))
        body += kind.encode("ascii") + struct.pack(">I", 8 + len(blob)) + blob
    return b"icns" + struct.pack(">I", 8 + len(body)) + body


def main() -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (image plugins need it)
    RESOURCES.mkdir(exist_ok=True)
    outputs = {
        "icon.png": png_bytes(draw(256)),
        "icon.ico": ico_bytes(),
        "icon.icns": icns_bytes(),
    }
    for name, blob in outputs.items():
        (RESOURCES / name).write_bytes(blob)
        print(f"wrote {RESOURCES / name} ({len(blob)} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
