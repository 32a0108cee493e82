"""Draws the book's favicon: a constant error carousel, a unit with a self-loop of weight 1.0."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Circle, FancyArrowPatch  # noqa: E402

fig = plt.figure(figsize=(1, 1), dpi=64)
ax = fig.add_axes([0, 0, 1, 1])
ax.set_xlim(0, 1)
ax.set_ylim(0, 1)
ax.axis("off")
ax.add_patch(Circle((0.5, 0.38), 0.26, color="#1f5fa8"))
ax.add_patch(FancyArrowPatch((0.36, 0.62), (0.64, 0.62), connectionstyle="arc3,rad=-1.6",
                             arrowstyle="-|>", mutation_scale=14, lw=4, color="#e07b00"))
fig.savefig(__file__.replace(".py", ".png"), transparent=True)

# Browsers ask for /favicon.ico on pages without an icon link (the build's root index.html redirect).
from PIL import Image  # noqa: E402  (Pillow comes with matplotlib)

Image.open(__file__.replace(".py", ".png")).save(
    __file__.replace("images/favicon.py", "_extra/favicon.ico"), sizes=[(32, 32), (64, 64)])
