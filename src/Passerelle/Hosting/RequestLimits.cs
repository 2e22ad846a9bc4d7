using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace Passerelle.Hosting;

/// <summary>
/// How big a request may be, and the French answer when it is bigger. A form is at most 1 MB (the longest field, a
/// mail template, is 20,000 characters) and a form value 100,000 characters; only the document upload takes more
/// (its own limit, 10 MB). A body past the limit — or one that cannot be read as the form it claims to be — is
/// answered 413 or 400 with the error page (422 for a NUL character, which PostgreSQL cannot store), instead of an
/// error from deep in the framework.
/// </summary>
public static class RequestLimits
{
    public const long MaxFormBytes = 1024 * 1024;
    public const int MaxFormValueLength = 100_000;
    public const int MaxFormValues = 25_000;

    public static void AddRequestLimits(this IServiceCollection services)
    {
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(options => options.Limits.MaxRequestBodySize = MaxFormBytes);
        services.Configure<FormOptions>(options =>
        {
            options.ValueLengthLimit = MaxFormValueLength;
            // A form's checkboxes, not its size: "Nouvelle mise en relation" posts every document ticked (three for each of a few
            // hundred candidates); ASP.NET's 1,024 values refused it. The megabyte above still bounds the whole form.
            options.ValueCountLimit = MaxFormValues;
            options.MultipartBodyLengthLimit = MaxFormBytes;
        });
    }

    /// <summary>
    /// Turns "the body was too big or unreadable" into 413/400, which the status-code pages answer in French. Kestrel
    /// enforces <see cref="MaxFormBytes"/> as the body is read; the form reader enforces the value limits.
    /// </summary>
    public static IApplicationBuilder UseRequestLimits(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        // A urlencoded form is read (and kept) here, so that a value past the limits is answered 413 before the
        // antiforgery check reads it and calls it an expired form. (The upload endpoint reads its multipart itself.)
        // The error page's re-execution of the same request must not read the oversized body again.
        if (HttpMethods.IsPost(context.Request.Method) && context.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>() is null
            && context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
        {
            try
            {
                await context.Request.ReadFormAsync(context.RequestAborted);
            }
            catch (Exception e) when (Refusal(e) is { } status)
            {
                Refuse(context, status);
                return;
            }
        }
        try
        {
            await next(context);
        }
        catch (Exception e) when (e is BadHttpRequestException or ValueProviderException && Refusal(e) is { } status && !context.Response.HasStarted)
        {
            // Only failures to read the request itself (Kestrel's body limit, a malformed form); anything else is a
            // server error for the exception handler.
            context.Response.Clear();
            Refuse(context, status);
        }
    });

    private static void Refuse(HttpContext context, int status)
    {
        context.Response.StatusCode = status;
        if (status == StatusCodes.Status422UnprocessableEntity)
            context.Items[FormValidation.ErrorsItem] = new[] { FormValidation.NulCharacterIn(null) };
    }

    private static int? Refusal(Exception e)
    {
        for (Exception? current = e; current is not null; current = current.InnerException)
        {
            switch (current)
            {
                case BadHttpRequestException bad:
                    return bad.StatusCode;
                case InvalidDataException { InnerException: InvalidOperationException }:
                    // "The form value contains invalid characters": a %00, which the form reader will not decode. A
                    // NUL sent as it is reaches the model binder, which refuses it too (FormValidation).
                    return StatusCodes.Status422UnprocessableEntity;
                case InvalidDataException:
                    return StatusCodes.Status413PayloadTooLarge; // the form reader's limits (value length, count, multipart size)
                case ValueProviderException or IOException when current.InnerException is null:
                    return StatusCodes.Status400BadRequest;
            }
        }
        return null;
    }
}
