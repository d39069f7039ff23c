#!/usr/bin/env python3
"""Reference values for the data-layer tests, computed from the published algorithms
independently of the C# code. Run: /usr/bin/python3 golden_values.py > golden_values.txt

- SplitMix64 and xoshiro256** as published by Blackman and Vigna (prng.di.unimi.it).
- NextInt: Lemire's multiply-and-reject ("Fast random integer generation in an interval", 2019).
- Shuffle: Fisher-Yates from the last element down.
- The dataset fingerprint encoding documented on DatasetFingerprint.
"""
import hashlib
import math
import struct

MASK = (1 << 64) - 1
GOLDEN_GAMMA = 0x9E3779B97F4A7C15


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


class SplitMix64:
    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + GOLDEN_GAMMA) & MASK
        return mix64(self.state)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & MASK


class Xoshiro256StarStar:
    def __init__(self, seed):
        sm = SplitMix64(seed)
        self.s = [sm.next() for _ in range(4)]

    def next_u64(self):
        s = self.s
        result = (rotl((s[1] * 5) & MASK, 7) * 9) & MASK
        t = (s[1] << 17) & MASK
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def next_double(self):
        return (self.next_u64() >> 11) * 2.0 ** -53

    def next_int(self, n):
        m = self.next_u64() * n
        low = m & MASK
        if low < n:
            threshold = ((1 << 64) - n) % n
            while low < threshold:
                m = self.next_u64() * n
                low = m & MASK
        return m >> 64

    def shuffle(self, items):
        for i in range(len(items) - 1, 0, -1):
            j = self.next_int(i + 1)
            items[i], items[j] = items[j], items[i]


def derive_seed(seed, stream):
    return mix64((mix64(seed) + GOLDEN_GAMMA * (stream + 1)) & MASK)


def fingerprint(shape, class_count, features, labels):
    count = len(features) // math.prod(shape)
    h = hashlib.sha256()
    h.update(b"feddistill-dataset-v1\x00")
    h.update(struct.pack('<q', count))
    h.update(struct.pack('<i', len(shape)))
    h.update(struct.pack('<%di' % len(shape), *shape))
    h.update(struct.pack('<i', class_count))
    h.update(struct.pack('<B', 0 if labels is None else 1))
    h.update(struct.pack('<%df' % len(features), *features))
    if labels is not None:
        h.update(struct.pack('<%di' % len(labels), *labels))
    return h.hexdigest()


if __name__ == '__main__':
    # The published reference: xoshiro256** from state {1, 2, 3, 4}.
    r = Xoshiro256StarStar(0)
    r.s = [1, 2, 3, 4]
    first = [r.next_u64() for _ in range(4)]
    assert first == [11520, 0, 1509978240, 1215971899390074240], first
    print('xoshiro256** state {1,2,3,4}:', ', '.join(str(v) for v in first))
    sm = SplitMix64(0)
    print('splitmix64 seed 0:', ', '.join('0x%016X' % sm.next() for _ in range(3)))
    for seed in (0, 42):
        r = Xoshiro256StarStar(seed)
        print('xoshiro256** seed %d next_u64:' % seed, ', '.join('0x%016X' % r.next_u64() for _ in range(6)))
    r = Xoshiro256StarStar(42)
    print('seed 42 next_double:', ', '.join(repr(r.next_double()) for _ in range(4)))
    r = Xoshiro256StarStar(42)
    print('seed 42 next_int(10):', ', '.join(str(r.next_int(10)) for _ in range(12)))
    r = Xoshiro256StarStar(42)
    print('seed 42 next_int(2**31-1):', ', '.join(str(r.next_int(2**31 - 1)) for _ in range(4)))
    r = Xoshiro256StarStar(7)
    items = list(range(10))
    r.shuffle(items)
    print('seed 7 shuffle(0..9):', items)
    print('derive_seed(7, 0):', '0x%016X' % derive_seed(7, 0))
    print('derive_seed(7, 3):', '0x%016X' % derive_seed(7, 3))
    for epoch in (0, 1):
        r = Xoshiro256StarStar(derive_seed(7, epoch))
        items = list(range(10))
        r.shuffle(items)
        print('batch plan seed 7 epoch %d permutation(10):' % epoch, items)
    # Tiny dataset: 3 examples of shape [2, 2], 3 classes.
    features = [0.0, 0.25, 0.5, 1.0, -1.5, 2.0, 3.25, 1e-3, 0.1, 0.2, 0.3, 0.4]
    print('fingerprint labeled [2,2] labels 2,0,1:', fingerprint([2, 2], 3, features, [2, 0, 1]))
    print('fingerprint unlabeled [2,2]:', fingerprint([2, 2], 3, features, None))
    print('fingerprint empty [4]:', fingerprint([4], 2, [], []))
    # Fashion-MNIST as FashionMnist loads it: pixels / 255 in float32, shape [1, 28, 28], 10 classes.
    import gzip
    import os
    import numpy as np
    directory = '/usr/share/datasets/fashion-mnist'
    if os.path.isdir(directory):
        for prefix in ('train', 't10k'):
            with gzip.open(os.path.join(directory, prefix + '-images-idx3-ubyte.gz')) as f:
                pixels = np.frombuffer(f.read()[16:], dtype=np.uint8)
            with gzip.open(os.path.join(directory, prefix + '-labels-idx1-ubyte.gz')) as f:
                labels = np.frombuffer(f.read()[8:], dtype=np.uint8)
            features = pixels.astype(np.float32) / np.float32(255)
            h = hashlib.sha256()
            h.update(b"feddistill-dataset-v1\x00")
            h.update(struct.pack('<qi3iiB', len(labels), 3, 1, 28, 28, 10, 1))
            h.update(features.astype('<f4').tobytes())
            h.update(labels.astype('<i4').tobytes())
            print('fashion-mnist %s fingerprint:' % prefix, h.hexdigest())
            print('fashion-mnist %s first label %d, first image pixel sum %d' % (prefix, labels[0], int(pixels[:784].sum())))
