using DataRenew.Sdk.AdapterKit;

namespace DataRenew.Sdk.Tests.AdapterKit;

public sealed class PagingTests
{
    private static readonly CarrierId Carrier = new("kit");

    [Fact]
    public async Task Pages_are_read_until_the_carrier_says_there_are_no_more()
    {
        var asked = new List<int>();
        var items = await CarrierPaging.ReadAllAsync<int, int>(Carrier, 1, (page, _) =>
        {
            asked.Add(page);
            return Task.FromResult(new CarrierPage<int, int>([page * 10, (page * 10) + 1], page < 3, page + 1));
        }, cancellationToken: TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken);

        Assert.Equal([1, 2, 3], asked);
        Assert.Equal([10, 11, 20, 21, 30, 31], items);
    }

    [Fact]
    public async Task A_carrier_that_never_says_done_is_stopped_at_the_page_bound()
    {
        var calls = 0;
        var error = await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () =>
            await CarrierPaging.ReadAllAsync<int, int>(Carrier, 0, (offset, _) =>
            {
                calls++;
                return Task.FromResult(new CarrierPage<int, int>([offset], true, offset + 1));
            }, maxPages: 5, TestContext.Current.CancellationToken).ToListAsync(TestContext.Current.CancellationToken));

        Assert.Equal(5, calls);
        Assert.Contains("5 pages", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_cursor_that_does_not_move_is_refused()
    {
        await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () =>
            await CarrierPaging.ReadAllAsync<int, string>(Carrier, "8914800000000000014", (cursor, _) =>
                Task.FromResult(new CarrierPage<int, string>([1], true, "8914800000000000014")), cancellationToken: TestContext.Current.CancellationToken)
                .ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task More_after_an_empty_page_is_refused()
    {
        await Assert.ThrowsAsync<InvalidCarrierResponseException>(async () =>
            await CarrierPaging.ReadAllAsync<int, int>(Carrier, 0, (offset, _) => Task.FromResult(new CarrierPage<int, int>([], true, offset + 1)), cancellationToken: TestContext.Current.CancellationToken)
                .ToListAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Stopping_early_asks_for_no_more_pages()
    {
        var calls = 0;
        var first = await CarrierPaging.ReadAllAsync<int, int>(Carrier, 0, (offset, _) =>
        {
            calls++;
            return Task.FromResult(new CarrierPage<int, int>([offset, offset + 1], true, offset + 2));
        }, cancellationToken: TestContext.Current.CancellationToken).FirstAsync(TestContext.Current.CancellationToken);

        Assert.Equal(0, first);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task Cancellation_stops_the_listing()
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var pages = CarrierPaging.ReadAllAsync<int, int>(Carrier, 0, (offset, _) =>
        {
            cts.Cancel();
            return Task.FromResult(new CarrierPage<int, int>([offset], true, offset + 1));
        }, cancellationToken: cts.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pages.ToListAsync(TestContext.Current.CancellationToken));
    }
}
