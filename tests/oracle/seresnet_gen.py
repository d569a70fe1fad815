"""Seeded SE-ResNet weights that C can reproduce bit for bit (bench/seresnet_gen.h).

The full-size SE-ResNet34 weights (~85 MB) are not committed: both the oracle
and the C test make them from a seed with this generator, and only PyTorch's
outputs are committed. The generator is not helix code; it is this spec:

  xorshift32: x ^= x << 13; x ^= x >> 17; x ^= x << 5   (uint32, state = seed != 0)
  value     = float32(float32(int(x >> 8) - 2**23) * 2**-23) * s     (uniform in [-s, s))
  s         = float32(sqrt(3 * g2 / fan_in)) for weights (variance g2 / fan_in),
              float32(0.1) for biases
  g2        = 2 for the stem, block conv1 and se.fc1; 0.5 for block conv2; 1 otherwise
  order     = tensor_specs() below, one stream, every tensor in row-major order.

Names are timm's with BatchNorm folded (conv bias = the BN's shift).
"""
import math

import numpy as np

STAGE_WIDTHS = (64, 128, 256, 512)


def se_hidden(c):
    # timm make_divisible(c / 16, 8, round_limit=0.)
    return max(8, int(c / 16 + 4) // 8 * 8)


def tensor_specs(layers, num_classes, se=True):
    """[(name, shape, g2 or None for a bias)] in generation order."""
    specs = [("conv1.weight", (64, 3, 7, 7), 2.0), ("conv1.bias", (64,), None)]
    c = 64
    for L, (nblocks, w) in enumerate(zip(layers, STAGE_WIDTHS), start=1):
        for b in range(nblocks):
            p = f"layer{L}.{b}."
            specs += [(p + "conv1.weight", (w, c, 3, 3), 2.0), (p + "conv1.bias", (w,), None),
                      (p + "conv2.weight", (w, w, 3, 3), 0.5), (p + "conv2.bias", (w,), None)]
            if se:
                r = se_hidden(w)
                specs += [(p + "se.fc1.weight", (r, w, 1, 1), 2.0), (p + "se.fc1.bias", (r,), None),
                          (p + "se.fc2.weight", (w, r, 1, 1), 1.0), (p + "se.fc2.bias", (w,), None)]
            if b == 0 and (L > 1 or c != w):
                specs += [(p + "downsample.0.weight", (w, c, 1, 1), 1.0),
                          (p + "downsample.0.bias", (w,), None)]
            c = w
    specs += [("fc.weight", (num_classes, c), 1.0), ("fc.bias", (num_classes,), None)]
    return specs


def uniform(states, s):
    k = (states >> np.uint32(8)).astype(np.int64) - (1 << 23)
    u = k.astype(np.float32) * np.float32(2.0 ** -23)
    return u * np.float32(s)


def scale_for(shape, g2):
    if g2 is None:
        return np.float32(0.1)
    fan_in = int(np.prod(shape[1:]))
    return np.float32(math.sqrt(3.0 * g2 / fan_in))


def make_weights(seed, layers, num_classes, se=True):
    """{name: float32 array} generated in spec order."""
    specs = tensor_specs(layers, num_classes, se)
    total = sum(int(np.prod(s)) for _, s, _ in specs)
    states = _states(seed, total)
    out, pos = {}, 0
    for name, shape, g2 in specs:
        n = int(np.prod(shape))
        out[name] = uniform(states[pos:pos + n], scale_for(shape, g2)).reshape(shape)
        pos += n
    return out


def _states(seed, n):
    """The first n xorshift32 states (a plain loop: the recurrence is serial)."""
    x = seed & 0xFFFFFFFF
    out = np.empty(n, dtype=np.uint32)
    for i in range(n):
        x ^= (x << 13) & 0xFFFFFFFF
        x ^= x >> 17
        x ^= (x << 5) & 0xFFFFFFFF
        out[i] = x
    return out
