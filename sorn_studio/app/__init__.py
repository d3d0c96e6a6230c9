"""Everything Qt: the studio's main window, worker thread, controller, plots and panels.

This is the only package that imports PySide6 and pyqtgraph. Start the studio with
:func:`sorn_studio.app.main.main`.
"""

from .qtcompat import protect_singletons

# Must run before any signal is emitted; see qtcompat for the defect it works around.
protect_singletons()
