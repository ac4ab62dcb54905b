using DataRenew.Sdk.Renewal;
using DataRenew.Sdk.Testing;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// Journals written by earlier versions of the SDK are read and resumed. The fixture was written by the version before
/// lines had ids of their own (lines keyed by a Luhn-checked ICCID): a renewal paid but not ordered, a completed one with
/// its receipt, and a declined one.
/// </summary>
public sealed class JournalFormatHistoryTests : IDisposable
{
    private static readonly RenewalId Paid = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d60");
    private static readonly RenewalId Completed = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d61");
    private static readonly RenewalId Declined = RenewalId.Parse("rnw_0192f1c6a2b47c3e9d5f1e2a3b4c5d62");

    private readonly TempDirectory _directory = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Dispose();

    [Fact]
    public async Task A_journal_from_before_line_ids_reads_each_line_by_its_ICCID()
    {
        using var journal = OpenFixture("journal-before-line-ids.journal");

        var completed = await journal.GetAsync(Completed, Ct);
        var declined = await journal.GetAsync(Declined, Ct);

        Assert.Equal(FakeCarrierSeed.PhysicalLine, completed!.Line.Id);
        Assert.Equal(FakeCarrierSeed.PhysicalIccid, completed.Line.Iccid);
        Assert.Equal(FakeCarrierSeed.PhysicalNumber, completed.Line.PhoneNumber);
        Assert.Equal(FakeCarrierSeed.PhysicalLine, completed.Receipt!.Line.Id);
        Assert.Equal("CONF-LEGACY-1", completed.Receipt.ConfirmationNumber);
        Assert.Equal(RenewalFailureKind.PaymentDeclined, declined!.Failure!.Kind);
        Assert.Equal([Paid], await journal.ListUnfinishedAsync(Ct).Select(r => r.Id).ToArrayAsync(Ct));
    }

    [Fact]
    public async Task A_renewal_paid_under_the_old_format_is_ordered_and_completed_by_this_version()
    {
        OpenFixture("journal-before-line-ids.journal").Dispose();
        var world = new DurableWorld(_directory.Path);
        var client = world.NewClient();
        var session = await DurableWorld.SignInAsync(client);

        var operation = await client.ResumeRenewalAsync(session, Paid, Ct);
        var final = await world.RunAsync(operation.WaitForCompletionAsync(Ct));

        Assert.Equal(RenewalState.Completed, final.State);
        Assert.Equal(FakeCarrierSeed.Plan10Gb.Code, world.Carrier.CurrentPlanOf(FakeCarrierSeed.PhysicalLine));
        var order = Assert.Single(world.Carrier.SubmittedOrders);
        Assert.Equal(FakeCarrierSeed.PhysicalLine, order.Line);
        Assert.Equal(0, world.Payments.SucceededCharges()); // paid under the old version: never charged again
    }

    private FileRenewalJournal OpenFixture(string name)
    {
        var source = Path.Combine(AppContext.BaseDirectory, "Renewal", "Journal", "Fixtures", name);
        File.Copy(source, Path.Combine(_directory.Path, FileRenewalJournal.FileName));
        return new FileRenewalJournal(_directory.Path);
    }
}
