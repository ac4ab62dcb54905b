using DataRenew.Sdk.Providers;

namespace DataRenew.Sdk.Tests.Support;

/// <summary>Reads an adapter's listing as lines, for tests of the adapters themselves (the client does this for apps).</summary>
internal static class LineListings
{
    /// <summary>The lines; a problem entry fails the test, naming it.</summary>
    public static async IAsyncEnumerable<Line> Lines(this IAsyncEnumerable<LineListingEntry> entries)
    {
        await foreach (var entry in entries)
        {
            yield return entry.Line ?? throw new Xunit.Sdk.XunitException($"The listing reported a problem: {entry.Problem}");
        }
    }
}
