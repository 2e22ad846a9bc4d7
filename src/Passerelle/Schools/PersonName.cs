namespace Passerelle.Schools;

public static class PersonName
{
    /// <summary>The document's way of naming people: family name in capitals, then the first name ("TECHER Margaud").</summary>
    public static string Display(string lastName, string firstName) =>
        $"{lastName.Trim().ToUpper(System.Globalization.CultureInfo.GetCultureInfo("fr-FR"))} {firstName.Trim()}".Trim();
}
