using Microsoft.AspNetCore.Mvc;
using Passerelle.CvPushes;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>A profile the chosen school pushed to this contact: the profile, "Je souhaite rencontrer ce candidat", "Ne pas donner suite".</summary>
public sealed class PushedProfileDetailModel(PasserelleDb db, CvPushActions actions) : CompanyPage(db)
{
    public PushedProfileView View { get; private set; } = null!;

    [TempData]
    public string? Message { get; set; }

    public string? Error { get; private set; }

    [BindProperty]
    public int? Version { get; set; }

    [BindProperty]
    public AppointmentForm Appointment { get; set; } = new();

    [BindProperty]
    public string? Offer { get; set; }

    [BindProperty]
    public string? RefusalReason { get; set; }

    public async Task<IActionResult> OnGetAsync(Guid id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    /// <summary>
    /// Who saw what: the page's script posts this once the profile has been in view with someone at it
    /// (wwwroot/js/links.js, as on the link pages; no GET changes anything), and the school sees the look beside the push.
    /// </summary>
    public async Task<IActionResult> OnPostSeenAsync(Guid id, CancellationToken ct)
    {
        if (!await LoadAsync(id, ct) || !View.DocumentsOpen)
            return NotFound();
        await PersonalData.ProfileViews.RecordPushedAsync(HttpContext, Db, id, ContactId, null, Channel.Portal, ct);
        return new NoContentResult();
    }

    [ShowsFormErrors]
    public Task<IActionResult> OnPostMeetAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, Answer.Meet(Appointment.ToAnswer(ModelState), Offer),
            "Votre demande est enregistrée : le rendez-vous est proposé au candidat et l'école est informée.", ct);

    public Task<IActionResult> OnPostDeclineAsync(Guid id, CancellationToken ct) =>
        AnswerAsync(id, new Answer.RefuseCandidate(Reason: RefusalReason), "C'est noté : vous ne donnez pas suite à ce profil.", ct);

    private async Task<IActionResult> AnswerAsync(Guid id, Answer answer, string done, CancellationToken ct)
    {
        if (!LoadSchool() || !PushCv)
            return NotFound();
        var result = await actions.AnswerAsync(id, Actor.Contact(ContactId, ContactName, Channel.Portal), answer, Version, ct);
        if (result.Refusal?.Code == RefusalCode.NotFound)
            return NotFound();
        if (result.Succeeded)
        {
            Message = done;
            return result.ReferralId is { } referralId
                ? RedirectToPage("ReferralDetail", new { id = referralId, view = (string?)null })
                : RedirectToPage(new { id });
        }
        Db.ChangeTracker.Clear();
        if (!await LoadAsync(id, ct))
            return NotFound();
        Error = result.Refusal!.Message;
        Response.StatusCode = result.Refusal.HttpStatus;
        return Page();
    }

    /// <summary>The pushed profile if it was pushed to this contact by the chosen school, with the module on; false (→ 404) otherwise.</summary>
    private async Task<bool> LoadAsync(Guid id, CancellationToken ct)
    {
        if (!LoadSchool() || !PushCv)
            return false;
        if (await PushedProfileView.LoadAsync(Db, id, ct) is not { } view || view.Profile.ContactId != ContactId)
            return false;
        View = view;
        return true;
    }
}
