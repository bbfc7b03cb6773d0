using ChatCluster.Transports.Limits;

namespace ChatCluster.Tests.Limits;

/// <summary>The pure rules behind chatcluster.limits, as named tables.</summary>
public sealed class LimitRulesTests
{
    // ---- admission ----

    public static TheoryData<string, int, int, int, int, AdmissionVerdict> AdmissionCases => new()
    {
        { "empty node admits", 0, 0, 10, 2, AdmissionVerdict.Admit },
        { "last free slot admits", 9, 1, 10, 2, AdmissionVerdict.Admit },
        { "node full refuses", 10, 0, 10, 2, AdmissionVerdict.NodeFull },
        { "node full wins over address full", 10, 2, 10, 2, AdmissionVerdict.NodeFull },
        { "address full refuses", 5, 2, 10, 2, AdmissionVerdict.AddressFull },
        { "per-address 0 means no per-address limit", 5, 500, 10, 0, AdmissionVerdict.Admit },
    };

    [Theory]
    [MemberData(nameof(AdmissionCases))]
    public void Admission_should_decide_by_node_and_address_counts(string name, int open, int fromAddress, int max, int perAddress, AdmissionVerdict expected)
    {
        Assert.True(expected == AdmissionRule.Decide(open, fromAddress, max, perAddress), name);
    }

    // ---- slow consumer ----

    public static TheoryData<string, long, long, int, SlowConsumerVerdict> SlowConsumerCases => new()
    {
        // limits: 1000 bytes, 10 s
        { "empty backlog keeps", 0, 100, 0, SlowConsumerVerdict.Keep },
        { "a burst within the bytes and fresh keeps", 800, 200, 5, SlowConsumerVerdict.Keep },
        { "one byte over the bound cuts", 800, 201, 5, SlowConsumerVerdict.TooManyBytes },
        { "old but small: a reader that stopped is cut", 10, 10, 10_001, SlowConsumerVerdict.TooOld },
        { "exactly max-age still keeps", 10, 10, 10_000, SlowConsumerVerdict.Keep },
        { "bytes are judged before age", 990, 100, 20_000, SlowConsumerVerdict.TooManyBytes },
    };

    [Theory]
    [MemberData(nameof(SlowConsumerCases))]
    public void Slow_consumer_should_be_judged_by_bytes_and_age(string name, long queued, long incoming, int ageMs, SlowConsumerVerdict expected)
    {
        var verdict = SlowConsumerRule.Judge(queued, incoming, TimeSpan.FromMilliseconds(ageMs), 1000, TimeSpan.FromSeconds(10));
        Assert.True(expected == verdict, $"{name}: {verdict}");
    }

    // ---- token bucket ----

    public static TheoryData<string, long[], bool[]> BucketCases => new()
    {
        // rate 2/s, burst 3; takes at the given milliseconds
        { "starts full: the burst passes", new long[] { 0, 0, 0 }, new[] { true, true, true } },
        { "past the burst refuses", new long[] { 0, 0, 0, 0 }, new[] { true, true, true, false } },
        { "refills at the rate", new long[] { 0, 0, 0, 0, 499, 500 }, new[] { true, true, true, false, false, true } },
        { "never more than the burst after idling", new long[] { 0, 10_000, 10_000, 10_000, 10_000 }, new[] { true, true, true, true, false } },
    };

    [Theory]
    [MemberData(nameof(BucketCases))]
    public void Token_bucket_should_pass_the_burst_then_the_rate(string name, long[] atMs, bool[] expected)
    {
        var bucket = new TokenBucket();
        var got = atMs.Select(t => bucket.TryTake(1, 1_000_000 + t, 2, 3)).ToArray();
        Assert.True(expected.SequenceEqual(got), $"{name}: {string.Join(",", got)}");
    }

    [Fact]
    public void Token_bucket_charge_should_return_the_wait_until_the_debt_is_paid()
    {
        var bucket = new TokenBucket();
        Assert.Equal(TimeSpan.Zero, bucket.Charge(100, 0, 1000, 100)); // the burst
        Assert.Equal(TimeSpan.FromMilliseconds(500), bucket.Charge(500, 0, 1000, 100)); // 500 in debt at 1000/s
        Assert.Equal(TimeSpan.Zero, bucket.Charge(0, 500, 1000, 100));
    }

    // ---- say rate limiter ----

    private static LimitsSettings Says(int maxViolations, params SayRateRule[] rules) =>
        LimitsSettings.Unlimited with { SayRates = rules, MaxViolations = maxViolations, ViolationWindow = TimeSpan.FromSeconds(10) };

    public static TheoryData<string, string[], RateVerdict[]> SayCases => new()
    {
        // rules: "vip:*" unlimited, "slow:*" 1/s burst 2, "*" 10/s burst 1; max-violations 3; all at one instant
        { "first matching rule wins (unlimited)", new[] { "vip:a", "vip:a", "vip:a" }, new[] { RateVerdict.Allow, RateVerdict.Allow, RateVerdict.Allow } },
        { "burst then refuse", new[] { "slow:a", "slow:b", "slow:a" }, new[] { RateVerdict.Allow, RateVerdict.Allow, RateVerdict.Refuse } },
        { "rooms of one rule share its bucket; other rules have their own", new[] { "slow:a", "slow:b", "x", "slow:c" },
            new[] { RateVerdict.Allow, RateVerdict.Allow, RateVerdict.Allow, RateVerdict.Refuse } },
        { "repeated refusals disconnect", new[] { "x", "x", "x", "x" }, new[] { RateVerdict.Allow, RateVerdict.Refuse, RateVerdict.Refuse, RateVerdict.Disconnect } },
    };

    [Theory]
    [MemberData(nameof(SayCases))]
    public void Say_rate_limiter_should_apply_the_first_matching_rule(string name, string[] rooms, RateVerdict[] expected)
    {
        var limiter = new SayRateLimiter(Says(3, new SayRateRule("vip:*", 0, 1), new SayRateRule("slow:*", 1, 2), new SayRateRule("*", 10, 1)));
        var got = rooms.Select(r => limiter.Say(r, 5_000_000)).ToArray();
        Assert.True(expected.SequenceEqual(got), $"{name}: {string.Join(",", got)}");
    }

    [Fact]
    public void Say_violations_should_be_forgotten_after_the_window()
    {
        var limiter = new SayRateLimiter(Says(2, new SayRateRule("*", 0.001, 1)));
        Assert.Equal(RateVerdict.Allow, limiter.Say("r", 5_000_000));
        Assert.Equal(RateVerdict.Refuse, limiter.Say("r", 5_000_000));
        Assert.Equal(RateVerdict.Refuse, limiter.Say("r", 5_000_000 + 10_001)); // a new window
        Assert.Equal(RateVerdict.Disconnect, limiter.Say("r", 5_000_000 + 10_002));
    }

    // ---- fd limit, backoff, patterns ----

    public static TheoryData<string, string, long?> SoftLimitLines => new()
    {
        { "soft and hard", "Max open files            512                  4096                 files     ", 512 },
        { "unlimited", "Max open files            unlimited            unlimited            files     ", null },
    };

    [Theory]
    [MemberData(nameof(SoftLimitLines))]
    public void Fd_limit_should_read_the_soft_limit(string name, string line, long? expected)
    {
        Assert.True(expected == FdLimit.ParseSoftLimit(line), name);
    }

    [Theory]
    [InlineData("fits with headroom", 4096L, 3000, 512, true)]
    [InlineData("exactly fits", 4096L, 3584, 512, true)]
    [InlineData("one over", 4096L, 3585, 512, false)]
    public void Fd_limit_check_should_need_max_connections_plus_headroom(string name, long limit, int max, int headroom, bool fits)
    {
        var problem = FdLimit.Check(limit, max, headroom);
        Assert.True(fits == (problem is null), name);
        if (problem is not null)
        {
            Assert.Contains("chatcluster.limits.max-connections", problem);
            Assert.Contains($"ulimit -n = {limit}", problem);
        }
    }

    [Fact]
    public void Accept_backoff_should_double_up_to_the_max()
    {
        var backoff = AcceptBackoff.Start(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(50));
        var waits = Enumerable.Range(0, 5).Select(_ => (int)backoff.Next().TotalMilliseconds).ToArray();
        Assert.Equal(new[] { 10, 20, 40, 50, 50 }, waits);
    }

    [Theory]
    [InlineData("*", "anything", true)]
    [InlineData("private:*", "private:x", true)]
    [InlineData("private:*", "public:x", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxcyyb", false)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exactly", false)]
    public void Room_pattern_should_match_star_as_any_run(string pattern, string room, bool matches)
    {
        Assert.Equal(matches, RoomPattern.Matches(pattern, room));
    }
}
