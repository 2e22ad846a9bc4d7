using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Passerelle.Email;
using Passerelle.Email.Links;
using Passerelle.Hosting;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CvPushes;

/// <summary>
/// The page behind a push CV mail's links (/l/p/{token}/{action}): the profile, "Je souhaite rencontrer ce candidat"
/// and "Ne pas donner suite". Opening it never changes anything; its buttons POST the answer, checked again then.
/// </summary>
public sealed class PushedProfileLinkPageModel(LinkResolver resolver, CvPushActions actions, PasserelleDb db, EmailOptions email) : PageModel
{
    public ResolvedLink Resolved { get; private set; } = new(LinkStatus.Unknown, null, null);
    public PushedProfileView? View { get; private set; }
    public string Token { get; private set; } = "";
    public string? Action { get; private set; }

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

    public string PortalUrl => email.Link("/entreprise");

    public async Task<IActionResult> OnGetAsync(string token, string? action, CancellationToken ct)
    {
        await LoadAsync(token, action, ct);
        Response.StatusCode = LinkResolver.HttpStatus(Resolved.Status);
        return Page();
    }

    /// <summary>
    /// The profile was shown to a person: the page's script posts this once it has been in view for a moment
    /// (wwwroot/js/links.js), as on a referral's link page. Opening the link records nothing.
    /// </summary>
    public async Task<IActionResult> OnPostSeenAsync(string token, string? action, CancellationToken ct)
    {
        await LoadAsync(token, action, ct);
        if (!ShowsOpenProfile)
            return NotFound();
        await PersonalData.ProfileViews.RecordPushedAsync(HttpContext, db, View!.Profile.Id, Resolved.Link!.RecipientId, null, Channel.EmailLink, ct);
        return new NoContentResult();
    }

    /// <summary>A live link showing its contact the candidate's profile and documents (consent standing, no referral yet).</summary>
    public bool ShowsOpenProfile => Resolved.Status == LinkStatus.Valid && View is { DocumentsOpen: true };

    [ShowsFormErrors]
    public Task<IActionResult> OnPostMeetAsync(string token, string? action, CancellationToken ct) =>
        AnswerAsync(token, action, Answer.Meet(Appointment.ToAnswer(ModelState), Offer),
            "Votre demande est enregistrée : le rendez-vous est proposé au candidat et l'école est informée. Vous suivrez la suite dans Passerelle Entreprises.", ct);

    public Task<IActionResult> OnPostDeclineAsync(string token, string? action, CancellationToken ct) =>
        AnswerAsync(token, action, new Answer.RefuseCandidate(Reason: RefusalReason),
            "C'est noté : vous ne donnez pas suite à ce profil. Vous pouvez changer d'avis depuis ce lien ou Passerelle Entreprises.", ct);

    private async Task<IActionResult> AnswerAsync(string token, string? action, Answer answer, string done, CancellationToken ct)
    {
        Resolved = await resolver.ResolvePushAsync(token, ct);
        if (Resolved.Status != LinkStatus.Valid)
        {
            await ShowAsync(token, action, ct);
            Response.StatusCode = LinkResolver.HttpStatus(Resolved.Status);
            return Page();
        }
        var actor = Actor.Contact(Resolved.Link!.RecipientId, Resolved.RecipientName!, Channel.EmailLink);
        var result = await actions.AnswerAsync(Resolved.Pushed!.Id, actor, answer, Version, ct);
        if (result.Succeeded)
        {
            Message = done;
            return RedirectToPage(new { token, action = (string?)null });
        }
        // Shown again as it is now: someone may have answered meanwhile.
        db.ChangeTracker.Clear();
        await LoadAsync(token, action, ct);
        Error = result.Refusal!.Message;
        Response.StatusCode = result.Refusal.HttpStatus;
        return Page();
    }

    private async Task LoadAsync(string token, string? action, CancellationToken ct)
    {
        Resolved = await resolver.ResolvePushAsync(token, ct);
        await ShowAsync(token, action, ct);
    }

    private async Task ShowAsync(string token, string? action, CancellationToken ct)
    {
        Token = token;
        Action = action;
        // A push link shows nothing while its school has the module off: the same page as an unknown link.
        if (Resolved.Pushed is not null && !await CvPushActions.IsEnabledAsync(db, ct))
            Resolved = new ResolvedLink(LinkStatus.Unknown, null, null);
        if (Resolved.Pushed is { } pushed)
            View = await PushedProfileView.LoadAsync(db, pushed.Id, ct);
    }
}
