using System.Collections.Concurrent;
using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk;

/// <summary>
/// The lines of an account, read page by page as they are enumerated. Anything the carrier listed that could not be made
/// a line is not dropped: it is in <see cref="Problems"/> (and logged once) while the listing goes on with the rest.
/// </summary>
public class LineListing : IAsyncEnumerable<Line>
{
    private readonly IAsyncEnumerable<LineListingEntry> _entries;
    private readonly Action<LineListingProblem>? _onProblem;
    private readonly ConcurrentQueue<LineListingProblem> _problems = new();

    /// <summary>A listing over entries an adapter (or a test) yields.</summary>
    /// <param name="entries">The lines and problems, in the carrier's order.</param>
    public LineListing(IAsyncEnumerable<LineListingEntry> entries)
        : this(entries, null)
    {
    }

    internal LineListing(IAsyncEnumerable<LineListingEntry> entries, Action<LineListingProblem>? onProblem)
    {
        _entries = entries ?? throw new ArgumentNullException(nameof(entries));
        _onProblem = onProblem;
    }

    /// <summary>A listing of the given lines, for tests and mocks.</summary>
    public static LineListing FromLines(params IEnumerable<Line> lines) =>
        new(lines.Select(LineListingEntry.Of).ToAsyncEnumerable());

    /// <summary>What the carrier listed that could not be made a line, in every enumeration so far.</summary>
    public IReadOnlyList<LineListingProblem> Problems => _problems.ToArray();

    /// <inheritdoc />
    public virtual async IAsyncEnumerator<Line> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        await foreach (var entry in _entries.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (entry?.Line is { } line)
            {
                yield return line;
            }
            else if (entry?.Problem is { } problem)
            {
                _problems.Enqueue(problem);
                _onProblem?.Invoke(problem);
            }
        }
    }
}
