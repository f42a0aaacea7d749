namespace NomadDbPatterns.Hcl;

/// <summary>
/// A growable run of characters in one array, reused between renders: what the layout pass writes. Unlike a <see cref="System.Text.StringBuilder"/> it never splits into chunks, so its text is
/// always one span, and clearing it keeps its array.
/// </summary>
internal sealed class CharBuffer(int capacity = 16 * 1024)
{
    private char[] _chars = new char[capacity];

    /// <summary>Number of characters written.</summary>
    public int Length { get; private set; }

    /// <summary>The array's size: a buffer that grew very large is not worth keeping for reuse.</summary>
    public int Capacity => _chars.Length;

    /// <summary>The text written so far.</summary>
    public ReadOnlySpan<char> Span => _chars.AsSpan(0, Length);

    /// <summary>The character at <paramref name="index"/>.</summary>
    public char this[int index] => Span[index];

    public CharBuffer Clear()
    {
        Length = 0;
        return this;
    }

    /// <summary>Drops the last <paramref name="count"/> characters.</summary>
    public void Shorten(int count) => Length -= Math.Min(count, Length);

    public CharBuffer Append(char c)
    {
        if (Length == _chars.Length)
        {
            Grow(1);
        }

        _chars[Length++] = c;
        return this;
    }

    public CharBuffer Append(char c, int repeat)
    {
        if (repeat > 0)
        {
            Reserve(repeat).Fill(c);
        }

        return this;
    }

    public CharBuffer Append(string? text) => text is null ? this : Append(text.AsSpan());

    public CharBuffer Append(ReadOnlySpan<char> text)
    {
        text.CopyTo(Reserve(text.Length));
        return this;
    }

    /// <summary>Makes room for <paramref name="count"/> characters at the end and counts them as written.</summary>
    private Span<char> Reserve(int count)
    {
        if (_chars.Length - Length < count)
        {
            Grow(count);
        }

        var span = _chars.AsSpan(Length, count);
        Length += count;
        return span;
    }

    private void Grow(int needed)
    {
        var size = Math.Max(_chars.Length * 2, Length + needed);
        Array.Resize(ref _chars, size);
    }

    public override string ToString() => Span.ToString();
}
