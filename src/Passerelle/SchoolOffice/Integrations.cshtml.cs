using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Passerelle.Api;
using Passerelle.Storage;
using Passerelle.Webhooks;

namespace Passerelle.SchoolOffice;

/// <summary>
/// School admins connect the school's own platform: API keys (created with a name, shown once, revoked at once, with who
/// created each and when it was last used) and webhook endpoints (the events wanted, a signing secret shown once and
/// rotated with a day's overlap), with the log of the last deliveries and "Renvoyer".
/// </summary>
[Authorize(Policy = SchoolAuth.AdminPolicy)]
public sealed class IntegrationsModel(PasserelleDb db, WebhookEndpoints endpoints, TimeProvider clock) : SchoolPage(db)
{
    public const int LoggedDeliveries = 50;

    public IReadOnlyList<ApiKey> Keys { get; private set; } = [];
    public IReadOnlyList<WebhookEndpoint> Endpoints { get; private set; } = [];
    public IReadOnlyList<WebhookDelivery> Deliveries { get; private set; } = [];

    [TempData]
    public string? Message { get; set; }


    /// <summary>A key or a secret just created: shown in this answer only, never stored in clear.</summary>
    public (string Title, string Label, string Value, string Explanation)? Shown { get; private set; }

    [BindProperty]
    public string? Name { get; set; }

    [BindProperty]
    public string? EndpointUrl { get; set; }

    [BindProperty]
    public List<string> Events { get; set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        var staff = await Db.Staff.AsNoTracking().SingleAsync(s => s.Id == StaffId, ct);
        var (key, secret, problem) = await ApiKeys.CreateAsync(Db, Name, staff, clock.GetUtcNow(), ct);
        if (problem is not null)
            return await InvalidAsync(problem, ct);
        Name = null;
        return await ShowOnceAsync($"Clé « {key!.Name} » créée", "Clé d'API", secret!,
            "Elle se présente dans l'en-tête « Authorization: Bearer <clé> ».", ct);
    }

    public async Task<IActionResult> OnPostRevokeAsync(Guid keyId, CancellationToken ct)
    {
        if (!await ApiKeys.RevokeAsync(Db, keyId, clock.GetUtcNow(), ct))
            return NotFound();
        var name = await Db.ApiKeys.Where(k => k.Id == keyId).Select(k => k.Name).SingleAsync(ct);
        Message = $"La clé « {name} » est révoquée : les requêtes qui la présentent sont refusées dès maintenant.";
        return RedirectToPage();
    }

    [Passerelle.Hosting.ShowsFormErrors]
    public async Task<IActionResult> OnPostEndpointAsync(CancellationToken ct)
    {
        var (endpoint, secret, problem) = await endpoints.AddAsync(EndpointUrl, Events, StaffName, ct);
        if (problem is not null)
            return await InvalidAsync(problem, ct);
        EndpointUrl = null;
        Events = [];
        return await ShowOnceAsync($"Point d'accès {endpoint!.Url} ajouté", "Secret de signature", secret!,
            "Chaque envoi est signé selon Standard Webhooks (en-têtes webhook-id, webhook-timestamp, webhook-signature) avec ce secret.", ct);
    }

    public async Task<IActionResult> OnPostRotateAsync(Guid endpointId, CancellationToken ct)
    {
        if (await endpoints.RotateAsync(endpointId, ct) is not { } secret)
            return NotFound();
        return await ShowOnceAsync("Nouveau secret de signature", "Secret de signature", secret,
            "L'ancien secret signe encore pendant 24 heures, à côté du nouveau : mettez votre plateforme à jour avant.", ct);
    }

    public async Task<IActionResult> OnPostDisableAsync(Guid endpointId, CancellationToken ct)
    {
        if (!await endpoints.DisableAsync(endpointId, ct))
            return NotFound();
        Message = "Le point d'accès est désactivé : il ne reçoit plus rien.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostResendAsync(Guid deliveryId, CancellationToken ct)
    {
        if (!await endpoints.ResendAsync(deliveryId, ct))
            return NotFound();
        Message = "L'envoi est relancé : il part dans quelques secondes, avec le même identifiant (webhook-id).";
        return RedirectToPage();
    }

    public static string StateLabel(WebhookDelivery delivery) => delivery.State switch
    {
        WebhookDeliveryState.Sent => "Envoyé",
        WebhookDeliveryState.Failed => "En échec",
        _ when delivery.Attempts > 0 => $"Nouvel essai le {ParisTime.Date(delivery.NextAttemptAt)} à {ParisTime.Time(delivery.NextAttemptAt)}",
        _ => "En attente",
    };

    public static string EventsLabel(WebhookEndpoint endpoint) => endpoint.Events == WebhookEndpoint.AllEvents
        ? "Tous les événements"
        : string.Join(", ", endpoint.Events.Split(' '));

    private async Task<IActionResult> ShowOnceAsync(string title, string label, string value, string explanation, CancellationToken ct)
    {
        // The page that shows it is kept by no cache and no history.
        Response.Headers.CacheControl = "no-store";
        Shown = (title, label, value, explanation);
        await LoadAsync(ct);
        return Page();
    }

    private async Task<IActionResult> InvalidAsync(string problem, CancellationToken ct)
    {
        await LoadAsync(ct);
        return Refused(problem);
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        Keys = await ApiKeys.ListAsync(Db, ct);
        Endpoints = await Db.WebhookEndpoints.AsNoTracking().Where(e => e.DisabledAt == null).OrderBy(e => e.CreatedAt).ToListAsync(ct);
        Deliveries = await Db.WebhookDeliveries.AsNoTracking().OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Take(LoggedDeliveries).ToListAsync(ct);
    }
}
