using System.Runtime.CompilerServices;

namespace DataRenew.Sdk.AdapterKit;

/// <summary>One page of a listing and where the next one starts.</summary>
/// <typeparam name="TItem">The listed item.</typeparam>
/// <typeparam name="TCursor">What the next request needs: a body cursor, a page number, an offset.</typeparam>
/// <param name="Items">The page's items.</param>
/// <param name="HasMore">The carrier says more pages follow (202 with <c>hasMoreData</c>, <c>lastPage: false</c>, 206).</param>
/// <param name="Next">The cursor for the next page; ignored when <paramref name="HasMore"/> is false.</param>
public readonly record struct CarrierPage<TItem, TCursor>(IReadOnlyList<TItem> Items, bool HasMore, TCursor Next);

/// <summary>
/// The one paging layer for every style: body cursor, page number, offset/limit. The adapter says how to
/// fetch a page from a cursor; this turns it into an <see cref="IAsyncEnumerable{T}"/> that stops when the
/// carrier says so, and fails with <see cref="InvalidCarrierResponseException"/> when it would loop: more pages
/// than the bound, a cursor that does not move, or "more" on an empty page.
/// </summary>
public static class CarrierPaging
{
    /// <summary>The default bound on pages in one listing.</summary>
    public const int DefaultMaxPages = 1000;

    /// <summary>Reads every page, starting at <paramref name="first"/>.</summary>
    public static async IAsyncEnumerable<TItem> ReadAllAsync<TItem, TCursor>(
        CarrierId carrier,
        TCursor first,
        Func<TCursor, CancellationToken, Task<CarrierPage<TItem, TCursor>>> fetch,
        int maxPages = DefaultMaxPages,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(fetch);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxPages);
        var cursor = first;
        for (var page = 1; ; page++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await fetch(cursor, cancellationToken).ConfigureAwait(false);
            foreach (var item in result.Items ?? [])
            {
                yield return item;
            }

            if (!result.HasMore)
            {
                yield break;
            }

            string? loop = page >= maxPages ? $"it still had more after {maxPages} pages"
                : result.Items is not { Count: > 0 } ? "it said more pages follow an empty page"
                : EqualityComparer<TCursor>.Default.Equals(result.Next, cursor) ? "the next page's cursor did not move"
                : null;
            if (loop is not null)
            {
                throw new InvalidCarrierResponseException($"{carrier} listing stopped: {loop}.", new DataRenewErrorDetails(carrier));
            }

            cursor = result.Next;
        }
    }
}
