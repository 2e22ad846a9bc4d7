using System.Globalization;

namespace Passerelle.Common;

/// <summary>People see times in Europe/Paris, written the French way (15/05/2020, 15h41); the database keeps UTC.</summary>
public static class ParisTime
{
    public static readonly TimeZoneInfo Zone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
    private static readonly CultureInfo French = CultureInfo.GetCultureInfo("fr-FR");

    /// <summary>The instant of a wall-clock time in Paris (summer time applied).</summary>
    public static DateTimeOffset ToUtc(DateTime parisWallClock)
    {
        var unspecified = DateTime.SpecifyKind(parisWallClock, DateTimeKind.Unspecified);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, Zone), TimeSpan.Zero);
    }

    /// <summary>False for a wall-clock time that does not exist in Paris (the hour skipped when summer time starts).</summary>
    public static bool TryToUtc(DateTime parisWallClock, out DateTimeOffset instant)
    {
        var unspecified = DateTime.SpecifyKind(parisWallClock, DateTimeKind.Unspecified);
        if (Zone.IsInvalidTime(unspecified))
        {
            instant = default;
            return false;
        }
        instant = ToUtc(unspecified);
        return true;
    }

    public static DateTime ToParis(DateTimeOffset instant) => TimeZoneInfo.ConvertTime(instant, Zone).DateTime;

    /// <summary>15/05/2020</summary>
    public static string Date(DateTimeOffset instant) => ToParis(instant).ToString("dd/MM/yyyy", French);

    /// <summary>15h41</summary>
    public static string Time(DateTimeOffset instant) => ToParis(instant).ToString("HH'h'mm", French);
}
