namespace DataRenew.Sdk.Renewal;

/// <summary>How far one drive of a renewal goes.</summary>
internal enum DriveMode
{
    /// <summary>Every step that needs no waiting; stops before the first status poll (starting, resuming).</summary>
    UntilWaiting,

    /// <summary>Every step that needs no waiting, and at most one status poll (an app polling by hand).</summary>
    PollOnce,

    /// <summary>Until a final state, sleeping between polls on the injected clock.</summary>
    UntilFinal,
}
