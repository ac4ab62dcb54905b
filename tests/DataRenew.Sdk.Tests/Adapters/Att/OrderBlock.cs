namespace DataRenew.Sdk.Tests.Adapters.Att;

/// <summary>A plan change the stub applied and holds the answer of.</summary>
internal sealed class OrderBlock(bool apply)
{
    /// <summary>Whether the carrier applies the held plan change.</summary>
    public bool Apply { get; } = apply;

    public TaskCompletionSource Received { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ManualResetEventSlim Release { get; } = new();

    /// <summary>The held call has ended at the stub (nothing is in flight there any more).</summary>
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
