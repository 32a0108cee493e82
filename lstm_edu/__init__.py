"""lstm_edu: the 1997 Long Short-Term Memory and the analysis of vanishing error flow, in NumPy
(the LSTM's time loop compiled with numba).

The package follows the book: each chapter's code lives in one module. Every array carries a
leading *trial axis* of size ``P``: ``P`` independent networks, each with its own weights and data,
go through one code path together. The book's single network is simply ``P = 1``.

References
----------
S. Hochreiter and J. Schmidhuber, "Long Short-Term Memory", Neural Computation 9(8), 1997.
Y. Bengio, P. Simard and P. Frasconi, "Learning long-term dependencies with gradient descent is
difficult", IEEE Transactions on Neural Networks 5(2), 1994.
"""

__version__ = "0.1.0"
