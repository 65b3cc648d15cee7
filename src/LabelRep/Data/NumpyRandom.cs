namespace LabelRep.Data;

/// <summary>
/// numpy's legacy <c>np.random.seed(s)</c> generator (MT19937 with init_genrand seeding), with <c>shuffle</c> and
/// <c>random_sample</c> exactly as numpy's RandomState computes them, so that a seed gives the official code's
/// train/validation split (docs/protocols.md §2) and the same draws as a numpy script would.
/// </summary>
public sealed class NumpyRandom
{
    private const int N = 624, M = 397;
    private readonly uint[] _mt = new uint[N];
    private int _index;

    public NumpyRandom(uint seed)
    {
        _mt[0] = seed;
        for (int i = 1; i < N; i++)
            _mt[i] = unchecked(1812433253u * (_mt[i - 1] ^ (_mt[i - 1] >> 30)) + (uint)i);
        _index = N;
    }

    public uint NextUInt32()
    {
        if (_index >= N) Twist();
        uint y = _mt[_index++];
        y ^= y >> 11;
        y ^= (y << 7) & 0x9d2c5680u;
        y ^= (y << 15) & 0xefc60000u;
        y ^= y >> 18;
        return y;
    }

    /// <summary>numpy's random_sample(): a double in [0, 1) from 53 random bits.</summary>
    public double NextDouble()
    {
        uint a = NextUInt32() >> 5, b = NextUInt32() >> 6;
        return (a * 67108864.0 + b) / 9007199254740992.0;
    }

    /// <summary>A uniform integer in [0, max] by masked rejection, as numpy's legacy random_interval.</summary>
    public uint Interval(uint max)
    {
        if (max == 0) return 0;
        uint mask = max;
        mask |= mask >> 1; mask |= mask >> 2; mask |= mask >> 4; mask |= mask >> 8; mask |= mask >> 16;
        uint value;
        while ((value = NextUInt32() & mask) > max) { }
        return value;
    }

    /// <summary>In-place Fisher–Yates from the end, as numpy's RandomState.shuffle on a 1-D array.</summary>
    public void Shuffle<T>(T[] items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)Interval((uint)i);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>np.random.seed(seed); x = list(range(n)); np.random.shuffle(x).</summary>
    public static int[] Permutation(int n, int seed)
    {
        int[] items = Enumerable.Range(0, n).ToArray();
        new NumpyRandom(unchecked((uint)seed)).Shuffle(items);
        return items;
    }

    private void Twist()
    {
        for (int i = 0; i < N; i++)
        {
            uint y = (_mt[i] & 0x80000000u) | (_mt[(i + 1) % N] & 0x7fffffffu);
            uint next = _mt[(i + M) % N] ^ (y >> 1);
            if ((y & 1) != 0) next ^= 0x9908b0dfu;
            _mt[i] = next;
        }
        _index = 0;
    }
}
