using DataRenew.Sdk.Renewal;
using Microsoft.Extensions.DependencyInjection;

namespace DataRenew.Sdk.Tests.Renewal.Journal;

/// <summary>
/// The first process of a resume test: the SDK composed as an app does, on the durable file journal, with a way to
/// die at a chosen step. Dying cancels all the process was doing and lets it write nothing more to the journal, as a
/// kill would; what it left in the journal and at the stubs is what the next process finds.
/// </summary>
internal sealed class DyingProcess : IAsyncDisposable
{
    private readonly CancellationTokenSource _life;
    private readonly FileRenewalJournal _file;
    private readonly ServiceProvider _services;
    private int _dead;

    /// <param name="journalDirectory">The journal both processes share.</param>
    /// <param name="compose">Adds the carriers and the payment gateway.</param>
    /// <param name="dieAfterWriting">When a journal version matching this has been written, the process dies (before its next step).</param>
    public DyingProcess(string journalDirectory, Action<DataRenewBuilder> compose, Func<RenewalRecord, bool>? dieAfterWriting = null)
    {
        _life = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        _file = new FileRenewalJournal(journalDirectory);
        var services = new ServiceCollection();
        var dataRenew = services.AddDataRenew(ResumeHost.ResumeTiming.Apply).UseJournal(new DyingJournal(this, dieAfterWriting));
        compose(dataRenew);
        _services = services.BuildServiceProvider();
    }

    public DataRenewClient Client => _services.GetRequiredService<DataRenewClient>();

    /// <summary>Everything the process does runs on this token: it is cancelled when the process dies.</summary>
    public CancellationToken Lifetime => _life.Token;

    public bool IsDead => Volatile.Read(ref _dead) == 1;

    /// <summary>The process stops here: whatever it was sending loses its answer, and it journals nothing more.</summary>
    public void Die()
    {
        if (Interlocked.Exchange(ref _dead, 1) == 0)
        {
            _life.Cancel();
        }
    }

    /// <summary>
    /// Dies while a stub holds the request of <paramref name="call"/> (<paramref name="received"/>), then lets the stub
    /// act on it: the request reached the other side, and its answer died with the process.
    /// </summary>
    public async Task DieWhileHeldAsync(Task call, Task received, Action release, Task processed)
    {
        var ct = TestContext.Current.CancellationToken;
        await received.WaitAsync(ct);
        Die();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        release();
        await processed.WaitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        Die();
        await _services.DisposeAsync();
        _file.Dispose();
        _life.Dispose();
    }

    /// <summary>The file journal, until the process dies (optionally right after a chosen write).</summary>
    private sealed class DyingJournal(DyingProcess process, Func<RenewalRecord, bool>? dieAfterWriting) : IRenewalJournal
    {
        public async Task AppendAsync(RenewalRecord record, CancellationToken cancellationToken = default)
        {
            if (process.IsDead)
            {
                throw new OperationCanceledException("The process died: nothing more reaches its journal.");
            }

            await process._file.AppendAsync(record, cancellationToken);
            if (dieAfterWriting?.Invoke(record) == true)
            {
                process.Die();
            }
        }

        public Task<RenewalRecord?> GetAsync(RenewalId id, CancellationToken cancellationToken = default) => process._file.GetAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> GetHistoryAsync(RenewalId id, CancellationToken cancellationToken = default) => process._file.GetHistoryAsync(id, cancellationToken);

        public IAsyncEnumerable<RenewalRecord> ListUnfinishedAsync(CancellationToken cancellationToken = default) => process._file.ListUnfinishedAsync(cancellationToken);
    }
}
