"""Pixels of Qt images, for the tests that compare what is drawn."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage


def pixels(image: QImage) -> np.ndarray:
    """The RGB channels of ``image`` as an (height, width, 3) int array."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(),
                                                              image.bytesPerLine())
    return rows[:, :image.width() * 3].reshape(image.height(), image.width(), 3).astype(int)
