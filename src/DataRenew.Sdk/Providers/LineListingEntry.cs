namespace DataRenew.Sdk.Providers;

/// <summary>
/// One entry of an adapter's line listing: a line, or a problem with something the carrier listed that could not be made
/// a line. An adapter never drops what the carrier lists: it yields the line with whatever facts it could read, or this
/// problem, and the listing goes on.
/// </summary>
public sealed class LineListingEntry
{
    private LineListingEntry(Line? line, LineListingProblem? problem)
    {
        Line = line;
        Problem = problem;
    }

    /// <summary>The line; <see langword="null"/> when this entry is a <see cref="Problem"/>.</summary>
    public Line? Line { get; }

    /// <summary>What could not be read; <see langword="null"/> when this entry is a <see cref="Line"/>.</summary>
    public LineListingProblem? Problem { get; }

    /// <summary>An entry for a line.</summary>
    public static LineListingEntry Of(Line line) => new(line ?? throw new ArgumentNullException(nameof(line)), null);

    /// <summary>An entry for something listed that could not be made a line.</summary>
    public static LineListingEntry Unreadable(LineListingProblem problem) => new(null, problem ?? throw new ArgumentNullException(nameof(problem)));

    /// <summary>Makes a line an entry, so an adapter can yield lines directly.</summary>
    public static implicit operator LineListingEntry(Line line) => Of(line);

    /// <summary>An entry for a line (the named alternative to the implicit conversion).</summary>
    public static LineListingEntry FromLine(Line line) => Of(line);
}
