using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Email;
using Passerelle.Email.Templates;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>
/// Editing one mail of the school: subject and body with the placeholders of that mail, Activé/Désactivé, a
/// preview on sample data, and a check that the template renders before it is saved.
/// </summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class TemplateEditorModel(PasserelleDb db, TemplateRenderer renderer, EmailOptions email, TimeProvider clock) : SchoolPage(db)
{
    public TemplateDefinition Definition { get; private set; } = null!;

    private string _subject = "";
    private string _body = "";

    [BindProperty]
    [StringLength(TemplateSafety.MaxSubjectLength, ErrorMessage = TemplateSafety.TooLong)]
    public string Subject { get => _subject; set => _subject = value ?? ""; }

    [BindProperty]
    [StringLength(TemplateSafety.MaxBodyLength, ErrorMessage = TemplateSafety.TooLong)]
    public string Body { get => _body; set => _body = value ?? ""; }

    [BindProperty]
    public bool Enabled { get; set; }

    /// <summary>
    /// The template as the page showed it (<see cref="Changes.EditStamp"/>), carried through previews and tests: another
    /// admin's save since is kept where this form left a field as shown, and said where both changed it.
    /// </summary>
    [BindProperty]
    public string? Stamp { get; set; }

    private static readonly string[] Labels = ["Objet", "Corps", "Activé"];

    [TempData]
    public string? Message { get; set; }

    public RenderedMail? Preview { get; private set; }

    public async Task<IActionResult> OnGetAsync(string key, CancellationToken ct)
    {
        if (!DefaultTemplates.SchoolMayEdit(key))
            return NotFound();
        Definition = DefaultTemplates.For(key);
        var own = await Db.EmailTemplates.AsNoTracking().SingleOrDefaultAsync(t => t.Key == key, ct);
        (Subject, Body, Enabled) = own is null ? (Definition.Subject, Definition.Body, false) : (own.Subject, own.Body, own.Enabled);
        Stamp = Changes.EditStamp.Of(Subject, Body, Enabled);
        return Page();
    }

    public IActionResult OnPostPreview(string key)
    {
        if (!DefaultTemplates.SchoolMayEdit(key))
            return NotFound();
        Definition = DefaultTemplates.For(key);
        (Preview, var problem) = renderer.RenderDraft(Subject, Body, Sample, "Votre école", clock.GetUtcNow().AddDays(7));
        return problem is null ? Page() : Refused(problem);
    }

    public async Task<IActionResult> OnPostSaveAsync(string key, CancellationToken ct)
    {
        if (!DefaultTemplates.SchoolMayEdit(key))
            return NotFound();
        Definition = DefaultTemplates.For(key);
        if (string.IsNullOrWhiteSpace(Subject) || string.IsNullOrWhiteSpace(Body))
            return Refused("L'objet et le corps du mail sont obligatoires.");
        if (renderer.Check(Subject, Body, Sample) is { } problem)
            return Refused(problem);

        // The school's row serializes the saves (the template's own row may not exist yet); read then, the template is the
        // one this save overwrites.
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        await Changes.Deactivations.LockSchoolAsync(Db, ct);
        var own = await Db.EmailTemplates.SingleOrDefaultAsync(t => t.Key == key, ct);
        object?[] now = own is null ? [Definition.Subject, Definition.Body, false] : [own.Subject, own.Body, own.Enabled];
        var merged = Changes.EditStamp.Merge(Stamp, [Subject, Body, Enabled], now);
        (Subject, Body, Enabled) = ((string)merged.Values[0]!, (string)merged.Values[1]!, (bool)merged.Values[2]!);
        if (merged.Conflict("ce modèle", Labels, now) is { } conflict)
        {
            Stamp = Changes.EditStamp.Of(now);
            return Refused(conflict, StatusCodes.Status409Conflict);
        }
        if (own is null)
        {
            own = Draft(key, Enabled);
            Db.EmailTemplates.Add(own);
        }
        own.Subject = Subject;
        own.Body = Body;
        own.Enabled = Enabled;
        try
        {
            own.UpdatedAt = clock.GetUtcNow();
            await Db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Refused("Ce modèle vient d'être enregistré par quelqu'un d'autre : rechargez la page.");
        }
        Message = Enabled ? "Le modèle est enregistré et activé : les prochains mails l'utiliseront." : "Le modèle est enregistré, désactivé : les mails partent avec le modèle par défaut.";
        return RedirectToPage(new { key });
    }

    /// <summary>"M'envoyer un test": the draft as it stands, rendered on sample data, to the admin's own address.</summary>
    public async Task<IActionResult> OnPostSendTestAsync(string key, CancellationToken ct)
    {
        if (!DefaultTemplates.SchoolMayEdit(key))
            return NotFound();
        Definition = DefaultTemplates.For(key);
        var now = clock.GetUtcNow();
        var (rendered, problem) = renderer.RenderDraft(Subject, Body, Sample, "Votre école", now.AddDays(7));
        if (rendered is null)
            return Refused(problem!);
        var staffId = StaffId;
        var me = await Db.Staff.AsNoTracking().SingleAsync(s => s.Id == staffId, ct);
        var mail = Outbox.New(SchoolId, key, Passerelle.Referrals.Recipient.Address, now);
        mail.ToAddress = me.Email;
        mail.ToName = me.DisplayName;
        mail.Data = new MailData(PreparedSubject: $"[Test] {rendered.Subject}", PreparedHtml: rendered.Html, PreparedText: rendered.Text).Serialize();
        Db.OutboxMessages.Add(mail);
        await Db.SaveChangesAsync(ct);
        Message = $"Un mail de test part vers {me.Email}.";
        return RedirectToPage(new { key });
    }

    public async Task<IActionResult> OnPostResetAsync(string key, CancellationToken ct)
    {
        if (!DefaultTemplates.SchoolMayEdit(key))
            return NotFound();
        // Under the school's row, as a save: a save reading the template meanwhile finishes first, or finds it gone.
        await using var transaction = await Db.Database.BeginTransactionAsync(ct);
        await Changes.Deactivations.LockSchoolAsync(Db, ct);
        await Db.EmailTemplates.Where(t => t.Key == key).ExecuteDeleteAsync(ct);
        await transaction.CommitAsync(ct);
        Message = "Le modèle de l'école est supprimé : ce mail part avec le modèle par défaut.";
        return RedirectToPage(new { key });
    }

    /// <summary>Sample data whose links lead to this Passerelle (links elsewhere are taken out of school templates).</summary>
    private Dictionary<string, object?> Sample => RenderModel.Sample(email.PublicBaseUrl.TrimEnd('/'));

    private EmailTemplate Draft(string key, bool enabled) => new()
    {
        SchoolId = SchoolId, Key = key, Subject = Subject, Body = Body, Enabled = enabled, UpdatedAt = clock.GetUtcNow(),
    };

}
