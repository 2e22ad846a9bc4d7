namespace Passerelle.Tests;
public class SmokeTests { [Fact] public void One_is_one() => 1.ShouldBe(1); }
