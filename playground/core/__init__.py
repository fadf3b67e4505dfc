"""The Qt-free core: everything a run needs, usable from the headless CLI. Layers, lowest first
(each imports only those below it; `lint-imports` enforces it):

    base < tasks < config < training < measures, continual < runs < experiments < remote < bench
"""
