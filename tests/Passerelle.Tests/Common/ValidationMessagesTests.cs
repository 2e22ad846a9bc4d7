using System.ComponentModel.DataAnnotations;
using System.Reflection;

namespace Passerelle.Tests.Common;

/// <summary>The forms' and the API's checks speak French: none falls back on .NET's English message.</summary>
public class ValidationMessagesTests
{
    [Fact]
    public void Every_validation_attribute_has_its_french_message()
    {
        var english = typeof(Passerelle.CsvImports.Importer).Assembly.GetTypes()
            .SelectMany(t => t.GetProperties(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .SelectMany(p => p.GetCustomAttributes<ValidationAttribute>(inherit: false).Select(a => (Property: p, Attribute: a)))
            .Where(x => x.Attribute.GetType().Assembly == typeof(ValidationAttribute).Assembly && string.IsNullOrEmpty(x.Attribute.ErrorMessage))
            // A [DataType] checks nothing; the API's bodies carry [Required] for their OpenAPI schema, and their handlers say in French
            // what is missing (ApiValidation, the corpus of hostile requests).
            .Where(x => x.Attribute is not DataTypeAttribute && x.Property.DeclaringType!.Namespace != "Passerelle.Api")
            .Select(x => $"{x.Property.DeclaringType!.Name}.{x.Property.Name}: [{x.Attribute.GetType().Name}]")
            .ToList();
        english.ShouldBeEmpty("a message in English would reach the page, the API or the import report");
    }
}
