using ChatCluster.Node.Actions;

namespace ChatCluster.Tests.Guard;

/// <summary>
/// The token-guessing slow-down as a table: steps at given times (ms), each admitting an attempt of a connection
/// (c1, c2…) from an address (a1, a2…) and expecting its wait in ms (or "refused"), or recording a failure / success.
/// Settings: first-delay 100 ms, max-delay 400 ms, max-wait 1 s, forget-after 60 s, at most 4 tracked keys.
/// </summary>
public sealed class AuthThrottleSpec
{
    private static readonly AuthThrottleSettings Settings = new(
        FirstDelay: TimeSpan.FromMilliseconds(100), MaxDelay: TimeSpan.FromMilliseconds(400), MaxWait: TimeSpan.FromSeconds(1),
        ForgetAfter: TimeSpan.FromSeconds(60), MaxTracked: 4);

    // "admit c a @t => wait|refused", "fail c a @t", "ok c a"
    private static readonly Dictionary<string, string[]> Cases = new()
    {
        ["first_attempt_waits_nothing"] = ["admit c1 a1 @0 => 0"],
        ["after_one_failure_the_next_attempt_waits_first_delay"] = ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c1 a1 @0 => 100"],
        ["a_failure_already_waited_out_costs_nothing"] = ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c1 a1 @150 => 0"],
        ["the_delay_doubles_per_failure_up_to_max_delay"] =
        [
            "admit c1 a1 @0 => 0", "fail c1 a1 @0",
            "admit c1 a1 @100 => 0", "fail c1 a1 @100",
            "admit c1 a1 @300 => 0", "fail c1 a1 @300",
            "admit c1 a1 @700 => 0", "fail c1 a1 @700",
            "admit c1 a1 @700 => 400",
        ],
        ["concurrent_attempts_queue_one_behind_the_other"] =
            ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c1 a1 @0 => 100", "admit c1 a1 @0 => 200", "admit c1 a1 @0 => 300"],
        ["an_attempt_that_would_wait_past_max_wait_is_refused"] =
        [
            "admit c1 a1 @0 => 0", "fail c1 a1 @0", "fail c1 a1 @0", "fail c1 a1 @0",
            "admit c1 a1 @0 => 400", "admit c1 a1 @0 => 800", "admit c1 a1 @0 => refused",
        ],
        ["another_connection_from_the_same_address_waits_too"] = ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c2 a1 @0 => 100"],
        ["another_address_does_not_wait"] = ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c2 a2 @0 => 0"],
        ["a_success_forgets_the_connection_but_not_the_address"] =
        [
            "admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c1 a1 @0 => 100", "ok c1 a1",
            "admit c1 a1 @100 => 100", // c1 is forgotten, but a1 still remembers its failure
        
        ],
        ["failures_are_forgotten_after_forget_after"] =
            ["admit c1 a1 @0 => 0", "fail c1 a1 @0", "fail c1 a1 @0", "fail c1 a1 @0", "admit c1 a1 @60001 => 0"],
        ["http_requests_are_keyed_by_address_only"] = ["admit - a1 @0 => 0", "fail - a1 @0", "admit - a1 @0 => 100", "admit c1 a1 @0 => 200"],
        ["a_full_table_refuses_new_keys_until_forgotten_ones_are_dropped"] =
        [
            "admit c1 a1 @0 => 0", "fail c1 a1 @0", "admit c2 a2 @0 => 0", "fail c2 a2 @0",
            "admit c3 a3 @0 => refused",
            "admit c3 a3 @60001 => 0",
        ],
    };

    public static TheoryData<string> CaseNames() => new(Cases.Keys);

    [Theory, MemberData(nameof(CaseNames))]
    public void AuthThrottle_should_follow_the_table(string name)
    {
        var throttle = new AuthThrottle(Settings);
        foreach (var step in Cases[name])
        {
            var words = step.Split(' ');
            var keys = AuthThrottle.KeysFor(words[1] == "-" ? null : words[1], words[2]);
            switch (words[0])
            {
                case "admit":
                    var wait = throttle.Admit(keys, At(words[3]));
                    Assert.True((wait is null ? "refused" : ((long)wait.Value.TotalMilliseconds).ToString()) == words[5], $"{name}: {step} got {(wait is null ? "refused" : wait.Value.TotalMilliseconds + " ms")}");
                    break;
                case "fail":
                    throttle.Failed(keys, At(words[3]));
                    break;
                case "ok":
                    throttle.Succeeded(keys[0]);
                    break;
            }
        }
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 100)]
    [InlineData(2, 200)]
    [InlineData(3, 400)]
    [InlineData(40, 400)]
    [InlineData(int.MaxValue, 400)]
    public void AuthThrottle_delay_should_double_per_failure_up_to_max_delay(int failures, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), new AuthThrottle(Settings).DelayAfter(failures));

    private static TimeSpan At(string word) => TimeSpan.FromMilliseconds(long.Parse(word.TrimStart('@'), System.Globalization.CultureInfo.InvariantCulture));
}
