using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Passerelle.Referrals;
using Passerelle.Schools;
using Passerelle.Storage;

namespace Passerelle.SchoolOffice;

/// <summary>A page of Passerelle École: the database is opened for the staff member's school before anything runs.</summary>
[Authorize(Policy = SchoolAuth.Policy)]
public abstract class SchoolPage(PasserelleDb db) : PageModel
{
    protected PasserelleDb Db => db;

    public Guid StaffId => Guid.Parse(User.FindFirstValue(ClaimTypes.NameIdentifier)!);
    public string StaffName => User.Identity?.Name ?? "";
    public Guid SchoolId => SchoolAuth.SchoolOf(User) ?? throw new InvalidOperationException("A school page is only reached signed in.");
    public bool IsAdmin => User.IsInRole(nameof(StaffRole.SchoolAdmin));

    /// <summary>Why the last request was refused, in French; shown at the top of the page.</summary>
    public string? Error { get; private set; }

    /// <summary>The page again with the refusal's message, answered 422 (or <paramref name="status"/>): nothing was changed.</summary>
    protected PageResult Refused(string? message, int status = StatusCodes.Status422UnprocessableEntity)
    {
        Error = message;
        Response.StatusCode = status;
        return Page();
    }

    /// <summary>The school has the push CV module on: its menu entry and pages show.</summary>
    public bool PushCv => SchoolSession.Of(HttpContext).PushCv;

    public override void OnPageHandlerExecuting(PageHandlerExecutingContext context)
    {
        db.ForSchool(SchoolId);
        base.OnPageHandlerExecuting(context);
    }

    /// <summary>The staff member acting, for the school or on behalf of a party.</summary>
    protected Actor Acting(Party? onBehalfOf = null) => Actor.Staff(StaffId, StaffName, onBehalfOf);

    public static string StageLabel(ReferralStage stage) => stage switch
    {
        ReferralStage.AwaitingCandidate => "En attente du candidat",
        ReferralStage.OfferDeclined => "Offre refusée",
        ReferralStage.AwaitingCompany => "En attente de l'entreprise",
        ReferralStage.CompanyRefused => "Candidat refusé",
        ReferralStage.AwaitingAppointmentAnswer => "RDV proposé",
        ReferralStage.AppointmentDeclined => "RDV refusé",
        ReferralStage.AwaitingOutcome => "RDV accepté",
        ReferralStage.Recruited => "Recruté",
        ReferralStage.NotRetained => "Non retenu",
        _ => "Annulée",
    };
}
