namespace DataRenew.Sdk.Renewal;

/// <summary>The points of a compaction a crash can stop it at, in order (named for tests that stop it there).</summary>
internal enum CompactionStep
{
    /// <summary>Half of the compacted copy is in its temporary file.</summary>
    CopyHalfWritten,

    /// <summary>The whole copy is on disk, under its temporary name.</summary>
    CopyWritten,

    /// <summary>The copy has its final name (its rename maybe not yet durable).</summary>
    CopyRenamed,

    /// <summary>The rename is durable: from here the copy is the journal's truth.</summary>
    CopyDurable,

    /// <summary>The journal is cut to the copy's length, not yet written.</summary>
    JournalCut,

    /// <summary>Half of the copy is written over the journal.</summary>
    JournalHalfWritten,

    /// <summary>The journal is the copy, on disk; the copy is not yet deleted.</summary>
    JournalRewritten,
}
