"""What a lecture's life tells apps above it (the course schedule), without importing them.

Both are sent inside the transaction that changes the lecture, with `lecture=` the Lecture.
"""

from django.dispatch import Signal

# A new lecture began: the room was opened.
lecture_opened = Signal()
# The lecture ended ("end for all", or LiveKit closed the room).
lecture_ended = Signal()
