namespace Passerelle.Schools;

/// <summary>A training centre (centre de formation, CFA): the tenant.</summary>
public sealed class School
{
    public const int DefaultLinkValidityDays = 7;

    public Guid Id { get; set; }
    public string Name { get; set; } = "";

    /// <summary>How long the action links of this school's e-mails stay valid (1–60 days).</summary>
    public int LinkValidityDays { get; set; } = DefaultLinkValidityDays;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The optional push CV module: off by default; while off, nothing of it shows, anywhere.</summary>
    public bool PushCvEnabled { get; set; }

    public const int DefaultRetentionMonths = 24;
    public const int MinimumRetentionMonths = 6;
    public const int MaximumRetentionMonths = 120;

    /// <summary>
    /// How many months after their last activity the school keeps a candidate before the daily job erases them (RGPD storage
    /// limitation: 24 by default, as La bonne alternance does; at least 6).
    /// </summary>
    public int RetentionMonths { get; set; } = DefaultRetentionMonths;

    /// <summary>Whether candidates are told by mail 30 days before they are erased (on by default).</summary>
    public bool RetentionWarning { get; set; } = true;

    /// <summary>The reasons a company may give when it refuses a candidate, one per line.</summary>
    public string RefusalReasons { get; set; } = "";

    /// <summary>The school notifications (<see cref="Referrals.TemplateKeys.SchoolMayMute"/>) this school does not want, comma-separated.</summary>
    public string MutedNotifications { get; set; } = "";

    public IReadOnlyList<string> RefusalReasonList =>
        RefusalReasons.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct().ToList();

    /// <summary>For the keys of <see cref="Referrals.TemplateKeys.SchoolMayMute"/> (the callers ask only for those).</summary>
    public bool IsMuted(string templateKey) =>
        MutedNotifications.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Contains(templateKey);
}
