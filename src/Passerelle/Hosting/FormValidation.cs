using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.ModelBinding.Binders;

namespace Passerelle.Hosting;

/// <summary>
/// Marks a page handler (or a whole page) that shows its form's errors itself; every other POST handler with an
/// invalid form is answered by <see cref="FormValidation"/> before it runs.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ShowsFormErrorsAttribute : Attribute;

/// <summary>
/// No handler acts on a form it did not validate. Every submitted text is bounded (its own [StringLength], else
/// <see cref="DefaultMaxLength"/> characters); a value that does not bind (a version that is not a number, a date
/// 9999-99-99, an unknown choice) is an error in French; and a POST handler that does not show its form's errors
/// itself (<see cref="ShowsFormErrorsAttribute"/>) never runs on an invalid form: the answer is 422 with the
/// French list of what is wrong, and nothing changes.
/// </summary>
public static class FormValidation
{
    public const int DefaultMaxLength = 2000;
    public const string ErrorsItem = "passerelle:form-errors";

    public static void Configure(MvcOptions options)
    {
        options.Filters.Add(new RefuseInvalidForms());
        options.ModelBinderProviders.Insert(0, new BoundedTextBinderProvider());
        var messages = options.ModelBindingMessageProvider;
        messages.SetAttemptedValueIsInvalidAccessor((_, field) => $"La valeur saisie pour « {field} » n'est pas valide.");
        messages.SetUnknownValueIsInvalidAccessor(field => $"La valeur saisie pour « {field} » n'est pas valide.");
        messages.SetValueIsInvalidAccessor(_ => "La valeur saisie n'est pas valide.");
        messages.SetNonPropertyAttemptedValueIsInvalidAccessor(_ => "La valeur saisie n'est pas valide.");
        messages.SetNonPropertyUnknownValueIsInvalidAccessor(() => "La valeur saisie n'est pas valide.");
        messages.SetValueMustBeANumberAccessor(field => $"« {field} » doit être un nombre.");
        messages.SetNonPropertyValueMustBeANumberAccessor(() => "La valeur doit être un nombre.");
        messages.SetValueMustNotBeNullAccessor(field => $"Indiquez « {field} ».");
        messages.SetMissingBindRequiredValueAccessor(field => $"Indiquez « {field} ».");
        messages.SetMissingKeyOrValueAccessor(() => "Une valeur manque.");
        messages.SetMissingRequestBodyRequiredValueAccessor(() => "Le formulaire est vide.");
    }

    /// <summary>The first error of an invalid form, for a page that shows one message.</summary>
    public static string? FirstError(ModelStateDictionary modelState) =>
        modelState.Values.SelectMany(v => v.Errors).Select(e => e.ErrorMessage).FirstOrDefault(m => !string.IsNullOrEmpty(m));

    /// <summary>
    /// A form's text holds a NUL character (U+0000): refused by the binder, which names the field, or by the form reader when it
    /// came as %00 (no field known).
    /// </summary>
    public static string NulCharacterIn(string? field) =>
        $"{(field is null ? "Un texte saisi" : $"« {field} »")} contient un caractère invisible non autorisé (caractère nul) : retirez-le et recommencez.";

    /// <summary>The errors of an invalid form, in French, for the error page (at most ten, without the values typed).</summary>
    public static IReadOnlyList<string> Errors(HttpContext http) => http.Items[ErrorsItem] as IReadOnlyList<string> ?? [];

    private sealed class RefuseInvalidForms : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            if (!HttpMethods.IsPost(context.HttpContext.Request.Method) || context.ModelState.IsValid || ShowsItsErrors(context))
                return next();
            context.HttpContext.Items[ErrorsItem] = context.ModelState.Values.SelectMany(v => v.Errors)
                .Select(e => string.IsNullOrEmpty(e.ErrorMessage) ? "La valeur saisie n'est pas valide." : e.ErrorMessage)
                .Distinct().Take(10).ToList();
            context.Result = new StatusCodeResult(StatusCodes.Status422UnprocessableEntity);
            return Task.CompletedTask;
        }

        private static bool ShowsItsErrors(PageHandlerExecutingContext context) =>
            context.HandlerInstance.GetType().IsDefined(typeof(ShowsFormErrorsAttribute), inherit: true)
            || (context.HandlerMethod?.MethodInfo.IsDefined(typeof(ShowsFormErrorsAttribute), inherit: true) ?? false);
    }

    private sealed class BoundedTextBinderProvider : IModelBinderProvider
    {
        public IModelBinder? GetBinder(ModelBinderProviderContext context) =>
            context.Metadata.ModelType == typeof(string)
                ? new BoundedTextBinder(new SimpleTypeModelBinder(typeof(string), context.Services.GetRequiredService<ILoggerFactory>()))
                : null;
    }

    /// <summary>
    /// Binds a string as usual, then refuses it past <see cref="DefaultMaxLength"/> unless the field declares its own limit,
    /// and refuses a NUL character (U+0000), which PostgreSQL cannot store nor compare. The value goes on without it, so that
    /// a search (a GET, which no filter refuses) finds what was meant instead of failing.
    /// </summary>
    private sealed class BoundedTextBinder(IModelBinder inner) : IModelBinder
    {
        public async Task BindModelAsync(ModelBindingContext bindingContext)
        {
            await inner.BindModelAsync(bindingContext);
            if (bindingContext.Result.Model is not string text)
                return;
            if (text.Contains('\0'))
            {
                text = text.Replace("\0", "");
                bindingContext.Result = ModelBindingResult.Success(text);
                bindingContext.ModelState.TryAddModelError(bindingContext.ModelName, NulCharacterIn(bindingContext.ModelMetadata.GetDisplayName()));
            }
            if (text.Length <= DefaultMaxLength)
                return;
            var declared = bindingContext.ModelMetadata.ValidatorMetadata.Any(v => v is System.ComponentModel.DataAnnotations.StringLengthAttribute
                or System.ComponentModel.DataAnnotations.MaxLengthAttribute);
            if (!declared)
                bindingContext.ModelState.TryAddModelError(bindingContext.ModelName,
                    $"« {bindingContext.ModelMetadata.GetDisplayName()} » est trop long ({DefaultMaxLength} caractères au plus).");
        }
    }
}
