using Microsoft.EntityFrameworkCore;
using Passerelle.Candidates;
using Passerelle.Email;
using Passerelle.Email.Links;
using Passerelle.Referrals;
using Passerelle.Storage;

namespace Passerelle.CompanyPortal;

/// <summary>
/// A candidate's document, for the company: only a document the school shared on this referral, only for
/// the referral's contact — signed in (chosen school) or holding the proposal mail's link — and only while the
/// profile is open to the company (<see cref="Referral.ProfileOpenToCompany"/>). The file name and type come
/// from the server, never from the upload. Anything else is 404.
/// </summary>
public static class DocumentDownloads
{
    public static void MapDocumentDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/entreprise/candidats/{referralId:guid}/documents/{documentId:guid}", FromPortalAsync)
            .RequireAuthorization(CompanyAuth.Policy);
        app.MapGet("/l/{token}/documents/{documentId:guid}", FromLinkAsync);
        app.MapGet("/entreprise/profils-proposes/{pushedProfileId:guid}/documents/{documentId:guid}", PushedFromPortalAsync)
            .RequireAuthorization(CompanyAuth.Policy);
        app.MapGet(LinkAction.PushRoot + "/{token}/documents/{documentId:guid}", PushedFromLinkAsync);
    }

    private static async Task<IResult> PushedFromPortalAsync(
        Guid pushedProfileId, Guid documentId, HttpContext http, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        if (http.User.ContactId() is not { } contactId || http.User.ChosenSchoolId() is not { } schoolId)
            return Results.NotFound();
        if (!CompanySession.Of(http).WorksWith(schoolId))
            return Results.NotFound();
        db.ForSchool(schoolId);
        return await SendPushedAsync(http, db, storage, pushedProfileId, contactId, documentId, Referrals.Channel.Portal, ct);
    }

    private static async Task<IResult> PushedFromLinkAsync(
        string token, Guid documentId, HttpContext http, LinkResolver resolver, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        var resolved = await resolver.ResolvePushAsync(token, ct);
        if (resolved.Status != LinkStatus.Valid || resolved.Pushed is not { } pushed)
            return Results.NotFound();
        return await SendPushedAsync(http, db, storage, pushed.Id, resolved.Link!.RecipientId, documentId, Referrals.Channel.EmailLink, ct);
    }

    /// <summary>
    /// A pushed profile's document: shared on that push, to that contact, while the school has the module on, the candidate's
    /// consent stands and no referral has taken over (its own documents are then the referral's).
    /// </summary>
    private static async Task<IResult> SendPushedAsync(HttpContext http,
        PasserelleDb db, DocumentStorage storage, Guid pushedProfileId, Guid contactId, Guid documentId, Referrals.Channel channel, CancellationToken ct)
    {
        if (!await CvPushes.CvPushActions.IsEnabledAsync(db, ct))
            return Results.NotFound();
        var document = await (
            from p in db.PushedProfiles
            where p.Id == pushedProfileId && p.ContactId == contactId && p.State != CvPushes.PushedProfileState.MeetingAsked
            join candidate in db.Candidates on p.CandidateId equals candidate.Id
            where candidate.PushConsentAt != null
            join shared in db.PushedProfileDocuments on p.Id equals shared.PushedProfileId
            where shared.DocumentId == documentId
            join d in db.Documents on shared.DocumentId equals d.Id
            select d).AsNoTracking().SingleOrDefaultAsync(ct);
        var download = storage.Download(document);
        // Who saw what: the school sees each download beside the push, on the candidate's page (one that found no file is none).
        if (download is Microsoft.AspNetCore.Http.HttpResults.FileStreamHttpResult)
            await PersonalData.ProfileViews.RecordPushedAsync(http, db, pushedProfileId, contactId, documentId, channel, ct);
        return download;
    }

    private static async Task<IResult> FromPortalAsync(
        Guid referralId, Guid documentId, HttpContext http, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        if (http.User.ContactId() is not { } contactId || http.User.ChosenSchoolId() is not { } schoolId)
            return Results.NotFound();
        if (!CompanySession.Of(http).WorksWith(schoolId))
            return Results.NotFound();
        db.ForSchool(schoolId);
        return await SendAsync(http, db, storage, referralId, contactId, documentId, Referrals.Channel.Portal, ct);
    }

    private static async Task<IResult> FromLinkAsync(
        string token, Guid documentId, HttpContext http, LinkResolver resolver, PasserelleDb db, DocumentStorage storage, CancellationToken ct)
    {
        var resolved = await resolver.ResolveAsync(token, ct);
        if (resolved.Status != LinkStatus.Valid || resolved.Link!.Step != LinkStep.Company || resolved.Link.ReferralId is not { } referralId)
            return Results.NotFound();
        return await SendAsync(http, db, storage, referralId, resolved.Link.RecipientId, documentId, Referrals.Channel.EmailLink, ct);
    }

    private static async Task<IResult> SendAsync(HttpContext http, PasserelleDb db, DocumentStorage storage, Guid referralId, Guid contactId, Guid documentId,
        Referrals.Channel channel, CancellationToken ct)
    {
        var document = await (
            from r in db.Referrals.Where(Referral.ProfileIsOpenToCompany)
            where r.Id == referralId && r.ContactId == contactId
            join shared in db.ReferralDocuments on r.Id equals shared.ReferralId
            where shared.DocumentId == documentId
            join d in db.Documents on shared.DocumentId equals d.Id
            select d).AsNoTracking().SingleOrDefaultAsync(ct);
        var download = storage.Download(document);
        // Who saw what: the school sees each download on its referral page (one that found no file is none).
        if (download is Microsoft.AspNetCore.Http.HttpResults.FileStreamHttpResult)
            await PersonalData.ProfileViews.RecordAsync(http, db, referralId, contactId, documentId, channel, ct);
        return download;
    }
}
