"""Work around pyqtgraph 0.14's SVG exporter failing on closed paths ("... L0,0 Z"), which Qt 6.11
writes for rectangles (pyqtgraph issue #3495, fixed upstream by PR #3458, not yet released).

The exporter's `correctCoordinates` parses every path token as "x,y"; we hide the close
commands from it and put them back afterwards.
"""

from __future__ import annotations

import importlib

CLOSE = ("Z", "z")


def install() -> None:
    module = importlib.import_module("pyqtgraph.exporters.SVGExporter")
    original = module.correctCoordinates
    if getattr(original, "_closes_paths", False):
        return

    def correct_coordinates(node, defs, item, options):
        closed = []
        for path in node.getElementsByTagName("path"):
            tokens = path.getAttribute("d").split()
            if any(token in CLOSE for token in tokens):
                path.setAttribute("d", " ".join(token for token in tokens if token not in CLOSE))
                closed.append(path)
        result = original(node, defs, item, options)
        for path in closed:
            path.setAttribute("d", path.getAttribute("d").strip() + " Z")
        return result

    correct_coordinates._closes_paths = True
    module.correctCoordinates = correct_coordinates
