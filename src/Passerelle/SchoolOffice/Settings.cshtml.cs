using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email.Templates;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// School admins: how long the links in mails stay valid (1 to 60 days; 7 by default), the refusal reasons
/// offered to companies, and which school notifications are sent.
/// </summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class SettingsModel(PasserelleDb db) : SchoolPage(db)
{
    // Nullable and required: a form without the field is refused, not saved as 0 (which the database's CHECK refuses).
    [BindProperty]
    [Required(ErrorMessage = "Indiquez la validité des liens (de 1 à 60 jours).")]
    [Range(1, 60, ErrorMessage = "La validité des liens va de 1 à 60 jours.")]
    [Display(Name = "Validité des liens des mails (jours)")]
    public int? LinkValidityDays { get; set; }

    [BindProperty]
    [StringLength(4000, ErrorMessage = "La liste des motifs est trop longue.")]
    [Display(Name = "Motifs de refus proposés aux entreprises (un par ligne)")]
    public string? RefusalReasons { get; set; }

    /// <summary>The optional push CV module.</summary>
    [BindProperty]
    [Display(Name = "Module push CV")]
    public bool PushCvEnabled { get; set; }

    /// <summary>Months a candidate is kept after their last activity; absent from a form, the setting stays as it is.</summary>
    [BindProperty]
    [Range(Schools.School.MinimumRetentionMonths, Schools.School.MaximumRetentionMonths, ErrorMessage = "La durée de conservation va de 6 à 120 mois.")]
    [Display(Name = "Durée de conservation des candidats (mois après leur dernière activité)")]
    public int? RetentionMonths { get; set; }

    /// <summary>Whether candidates are warned by mail 30 days before their erasure.</summary>
    [BindProperty]
    public bool RetentionWarning { get; set; }

    /// <summary>The school notifications to send (the others are turned off).</summary>
    [BindProperty]
    public List<string> Notifications { get; set; } = [];

    /// <summary>
    /// The settings as the page showed them (<see cref="Changes.EditStamp"/>): another admin's save since is kept where this
    /// form left a setting as shown, and said where both changed it.
    /// </summary>
    [BindProperty]
    public string? Stamp { get; set; }

    /// <summary>The settings, then each notification on its own (two admins switching off two notifications both stand).</summary>
    private static string[] Labels =>
        ["Validité des liens", "Motifs de refus", "Module push CV", "Durée de conservation", "Avertissement avant effacement",
            .. SchoolNotifications.Select(t => $"Notification « {t.Name} »")];

    private static object?[] Fields(Schools.School school) =>
    [
        school.LinkValidityDays, string.Join('\n', school.RefusalReasonList), school.PushCvEnabled, school.RetentionMonths, school.RetentionWarning,
        .. SchoolNotifications.Select(t => (object)!school.IsMuted(t.Key)),
    ];

    [TempData]
    public string? Message { get; set; }

    public static IReadOnlyList<TemplateDefinition> SchoolNotifications =>
        DefaultTemplates.All.Where(t => Referrals.TemplateKeys.SchoolMayMute.Contains(t.Key)).ToList();

    public async Task OnGetAsync(CancellationToken ct)
    {
        var schoolId = SchoolId;
        var school = await Db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct);
        LinkValidityDays = school.LinkValidityDays;
        RefusalReasons = string.Join('\n', school.RefusalReasonList);
        Notifications = SchoolNotifications.Select(t => t.Key).Where(k => !school.IsMuted(k)).ToList();
        PushCvEnabled = school.PushCvEnabled;
        RetentionMonths = school.RetentionMonths;
        RetentionWarning = school.RetentionWarning;
        Stamp = Changes.EditStamp.Of(Fields(school));
    }

    public const int MaxRefusalReason = 200;

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!ModelState.IsValid)
        {
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        var schoolId = SchoolId;
        var days = LinkValidityDays!.Value;
        var lines = (RefusalReasons ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.FirstOrDefault(r => r.Length > MaxRefusalReason) is { } tooLong)
        {
            // Said, not dropped: the page used to answer "Paramètres enregistrés" and lose the reason.
            ModelState.AddModelError(nameof(RefusalReasons), $"Un motif de refus compte {MaxRefusalReason} caractères au plus : « {tooLong[..40]}… » en a {tooLong.Length}.");
            Response.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return Page();
        }
        // The school's row held, then read: the settings this save overwrites.
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        await Changes.Deactivations.LockSchoolAsync(Db, ct);
        var now = Fields(await Db.Schools.AsNoTracking().SingleAsync(s => s.Id == schoolId, ct));
        var merged = Changes.EditStamp.Merge(Stamp, [days, string.Join('\n', lines.Distinct()), PushCvEnabled, RetentionMonths ?? now[3], RetentionWarning,
            .. SchoolNotifications.Select(t => (object)Notifications.Contains(t.Key))], now);
        (LinkValidityDays, RefusalReasons, PushCvEnabled, RetentionMonths, RetentionWarning) =
            ((int)merged.Values[0]!, (string)merged.Values[1]!, (bool)merged.Values[2]!, (int)merged.Values[3]!, (bool)merged.Values[4]!);
        Notifications = [.. SchoolNotifications.Where((_, i) => (bool)merged.Values[5 + i]!).Select(t => t.Key)];
        if (merged.Conflict("ces paramètres", Labels, now) is { } conflict)
        {
            Stamp = Changes.EditStamp.Of(now);
            ModelState.Clear();
            ModelState.AddModelError(string.Empty, conflict);
            Response.StatusCode = StatusCodes.Status409Conflict;
            return Page();
        }
        days = LinkValidityDays!.Value;
        var (reasons, pushCv, retentionMonths, retentionWarning) = (RefusalReasons, PushCvEnabled, RetentionMonths, RetentionWarning);
        var muted = string.Join(',', SchoolNotifications.Select(t => t.Key).Where(k => !Notifications.Contains(k)));
        await Db.Schools.Where(s => s.Id == schoolId).ExecuteUpdateAsync(set => set
            .SetProperty(s => s.LinkValidityDays, days)
            .SetProperty(s => s.RefusalReasons, reasons)
            .SetProperty(s => s.MutedNotifications, muted)
            .SetProperty(s => s.PushCvEnabled, pushCv)
            .SetProperty(s => s.RetentionMonths, retentionMonths!.Value)
            .SetProperty(s => s.RetentionWarning, retentionWarning), ct);
        await transaction.CommitAsync(ct);
        Message = $"Paramètres enregistrés. Les liens des prochains mails seront valables {days} jour(s).";
        return RedirectToPage();
    }
}
