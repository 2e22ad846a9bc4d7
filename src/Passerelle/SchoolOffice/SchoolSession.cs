namespace Passerelle.SchoolOffice;

/// <summary>
/// What a back-office page needs of the staff member's school on each request, read with the session check
/// (<see cref="Accounts.SessionValidation.ValidateStaffAsync"/>) rather than by each page.
/// </summary>
/// <param name="PushCv">The school has the push CV module on: its menu entry and pages show.</param>
public sealed record SchoolSession(bool PushCv)
{
    /// <summary>The session of this request; only there once the school cookie was checked.</summary>
    public static SchoolSession Of(HttpContext http) =>
        http.Features.Get<SchoolSession>() ?? throw new InvalidOperationException("A signed-in staff member was expected.");
}
