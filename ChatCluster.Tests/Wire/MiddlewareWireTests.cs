using System.Text.Json.Nodes;
using ChatCluster.Messages;
using ChatCluster.Node.Actions;
using ChatCluster.Node.Middleware;
using ChatCluster.Tests.Support;

namespace ChatCluster.Tests.Wire;

/// <summary>A node of its own for the chat middleware tests (what they register never reaches other classes).</summary>
public sealed class MiddlewareNodeFixture : NodeFixture
{
}

/// <summary>
/// Chat middleware (spec section 7) seen from real clients: order, join/leave refusals, onSayReceive
/// rewrite/refuse/silence, say hooks per recipient. Every hook only acts on its test's own room, and every
/// middleware is removed when its test ends.
/// </summary>
public sealed class MiddlewareWireTests : IClassFixture<MiddlewareNodeFixture>
{
    private readonly MiddlewareNodeFixture _node;

    public MiddlewareWireTests(MiddlewareNodeFixture node) => _node = node;

    private MiddlewareRegistry Registry => _node.Node.Middleware;

    private Task<WireClient> Connect(Transport transport) => WireClient.ConnectAsync(_node, transport);

    private static Transport Other(Transport transport) => transport == Transport.Tcp ? Transport.Ws : Transport.Tcp;

    private static string UniqueName(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..8];

    private static SayHook AppendInRoom(string room, string marker) => (_, r, payload) =>
    {
        if (r == room) payload["message"] = (string?)payload["message"] + marker;
        return ValueTask.FromResult(SayVerdict.Deliver(payload));
    };

    /// <summary>Registers the middleware, runs the test body, and always removes the middleware again.</summary>
    private async Task With(IEnumerable<ChatMiddleware> middleware, Func<Task> body)
    {
        var names = new List<string>();
        try
        {
            foreach (var m in middleware)
            {
                Registry.Add(m);
                names.Add(m.Name);
            }
            await body();
        }
        finally
        {
            foreach (var name in names) Registry.Remove(name);
        }
    }

    private Task With(ChatMiddleware middleware, Func<Task> body) => With(new[] { middleware }, body);

    /// <summary>A sender on <paramref name="transport"/> and one TCP and one websocket member, all in the room.</summary>
    private async Task<(WireClient Sender, WireClient Tcp, WireClient Ws)> ThreeMembersAsync(string room, Transport transport)
    {
        var sender = await Connect(transport);
        var tcp = await Connect(Transport.Tcp);
        var ws = await Connect(Transport.Ws);
        await sender.JoinAsync(room);
        await tcp.JoinAsync(room);
        await ws.JoinAsync(room);
        return (sender, tcp, ws);
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task OnSayReceive_hooks_should_run_by_ascending_priority_and_keep_registration_order_for_equal_priorities(Transport transport)
    {
        var room = await _node.NewRoomAsync("order");
        // Names sort the other way round from registration, so a name-ordered tie-break would fail.
        var middleware = new[]
        {
            new ChatMiddleware("z-" + UniqueName("b")) { Priority = 50, OnSayReceive = AppendInRoom(room, "|B") },
            new ChatMiddleware("y-" + UniqueName("d")) { Priority = 200, OnSayReceive = AppendInRoom(room, "|D") },
            new ChatMiddleware("x-" + UniqueName("a")) { Priority = 20, OnSayReceive = AppendInRoom(room, "|A") },
            new ChatMiddleware("a-" + UniqueName("c")) { Priority = 50, OnSayReceive = AppendInRoom(room, "|C") },
            new ChatMiddleware("m-" + UniqueName("e")) { OnSayReceive = AppendInRoom(room, "|E") }, // default priority 100
        };
        await With(middleware, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                WireClient.AssertOk(await sender.SayAsync(room, "m"));
                foreach (var member in new[] { sender, tcp, ws })
                    Assert.Equal("m|A|B|C|E|D", (string?)(await member.NextChatAsync())["message"]);
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Registering_a_name_again_should_replace_the_middleware_not_run_it_twice(Transport transport)
    {
        var room = await _node.NewRoomAsync("replace");
        var x = UniqueName("x");
        var y = UniqueName("y");
        await With(new[]
        {
            new ChatMiddleware(x) { OnSayReceive = AppendInRoom(room, "|1") },
            new ChatMiddleware(y) { OnSayReceive = AppendInRoom(room, "|Y") },
        }, async () =>
        {
            await using var sender = await Connect(transport);
            await using var other = await Connect(Other(transport));
            await sender.JoinAsync(room);
            await other.JoinAsync(room);

            WireClient.AssertOk(await sender.SayAsync(room, "m"));
            Assert.Equal("m|1|Y", (string?)(await other.NextChatAsync())["message"]);

            // same priority: replaced where it was
            Registry.Add(new ChatMiddleware(x) { OnSayReceive = AppendInRoom(room, "|2") });
            WireClient.AssertOk(await sender.SayAsync(room, "m"));
            Assert.Equal("m|2|Y", (string?)(await other.NextChatAsync())["message"]);

            // a new priority moves it
            Registry.Add(new ChatMiddleware(x) { Priority = 300, OnSayReceive = AppendInRoom(room, "|3") });
            WireClient.AssertOk(await sender.SayAsync(room, "m"));
            Assert.Equal("m|Y|3", (string?)(await other.NextChatAsync())["message"]);

            // removed: gone for good
            Assert.True(Registry.Remove(x));
            WireClient.AssertOk(await sender.SayAsync(room, "m"));
            Assert.Equal("m|Y", (string?)(await other.NextChatAsync())["message"]);
            Assert.Equal("m|1|Y", (string?)(await sender.NextChatAsync())["message"]);
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_refusing_join_hook_should_answer_the_error_and_leave_the_connection_outside_the_room(Transport transport)
    {
        var room = await _node.NewRoomAsync("nojoin");
        var open = await _node.NewRoomAsync("open");
        await With(new ChatMiddleware(UniqueName("refuse-join"))
        {
            Join = (_, r) => ValueTask.FromResult(r == room ? RoomVerdict.Refuse("no entry for you") : RoomVerdict.Allow),
        }, async () =>
        {
            await using var client = await Connect(transport);

            client.AssertVerbError(await client.RoomAddAsync(room), "no entry for you");
            client.AssertVerbError(await client.RoomViewAsync(room), ChatErrors.NotInRoom(room));
            Assert.Empty(await client.RoomsAsync());
            Assert.Equal(0, (await _node.Node.Api.StatusAsync(room)).MembersCount);

            // other rooms are not affected
            await client.JoinAsync(open);
            Assert.Equal(new[] { open }, await client.RoomsAsync());
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_join_hook_that_throws_should_refuse_with_the_exception_message(Transport transport)
    {
        var room = await _node.NewRoomAsync("throwjoin");
        await With(new ChatMiddleware(UniqueName("throw-join"))
        {
            Join = (_, r) => r == room ? throw new InvalidOperationException("join hook exploded") : ValueTask.FromResult(RoomVerdict.Allow),
        }, async () =>
        {
            await using var client = await Connect(transport);
            client.AssertVerbError(await client.RoomAddAsync(room), "join hook exploded");
            Assert.Empty(await client.RoomsAsync());
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_refusing_leave_hook_should_answer_the_error_and_keep_the_connection_in_the_room(Transport transport)
    {
        var room = await _node.NewRoomAsync("noleave");
        var name = UniqueName("refuse-leave");
        await With(new ChatMiddleware(name)
        {
            Leave = (_, r) => ValueTask.FromResult(r == room ? RoomVerdict.Refuse("you may not leave") : RoomVerdict.Allow),
        }, async () =>
        {
            await using var client = await Connect(transport);
            await client.JoinAsync(room);
            var id = await client.IdAsync();

            client.AssertVerbError(await client.RoomLeaveAsync(room), "you may not leave");

            Assert.Equal(new[] { room }, await client.RoomsAsync());
            var view = await client.RoomViewAsync(room);
            WireClient.AssertOk(view);
            Assert.True(view["data"]!["members"]!.AsObject().ContainsKey(id), view.ToJsonString());
            Assert.Equal(1, (await _node.Node.Api.StatusAsync(room)).MembersCount);

            // without the hook the same leave works
            Registry.Remove(name);
            WireClient.AssertOk(await client.RoomLeaveAsync(room));
            Assert.Empty(await client.RoomsAsync());
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task OnSayReceive_should_rewrite_the_message_for_every_member(Transport transport)
    {
        var room = await _node.NewRoomAsync("rewrite");
        await With(new ChatMiddleware(UniqueName("rewrite"))
        {
            OnSayReceive = (_, r, payload) =>
            {
                if (r == room) payload["message"] = "[rewritten] " + ((string?)payload["message"])?.ToUpperInvariant();
                return ValueTask.FromResult(SayVerdict.Deliver(payload));
            },
        }, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                var senderId = await sender.IdAsync();
                WireClient.AssertOk(await sender.SayAsync(room, "hello there"));
                foreach (var member in new[] { sender, tcp, ws })
                {
                    var chat = await member.NextChatAsync();
                    Assert.Equal("[rewritten] HELLO THERE", (string?)chat["message"]);
                    Assert.Equal(room, (string?)chat["room"]);
                    Assert.Equal(senderId, (string?)chat["from"]);
                    Assert.Equal("user", (string?)chat["context"]);
                }
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task OnSayReceive_refusal_should_answer_the_sender_with_the_error_and_deliver_nothing(Transport transport)
    {
        var room = await _node.NewRoomAsync("refusesay");
        await With(new ChatMiddleware(UniqueName("refuse-say"))
        {
            OnSayReceive = (_, r, payload) => ValueTask.FromResult(
                r == room && (string?)payload["message"] == "forbidden" ? SayVerdict.Refuse("that word is not allowed") : SayVerdict.Deliver(payload)),
        }, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                sender.AssertVerbError(await sender.SayAsync(room, "forbidden"), "that word is not allowed");
                Assert.True(await tcp.IsSilentAsync(), "the TCP member received the refused message");
                Assert.True(await ws.IsSilentAsync(), "the websocket member received the refused message");

                // the next message is the first anyone receives
                WireClient.AssertOk(await sender.SayAsync(room, "allowed"));
                foreach (var member in new[] { sender, tcp, ws })
                    Assert.Equal("allowed", (string?)(await member.NextChatAsync())["message"]);
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task OnSayReceive_silence_should_answer_ok_and_deliver_to_nobody(Transport transport)
    {
        var room = await _node.NewRoomAsync("hush");
        await With(new ChatMiddleware(UniqueName("silence"))
        {
            OnSayReceive = (_, r, payload) => ValueTask.FromResult(
                r == room && (string?)payload["message"] == "hush" ? SayVerdict.Silence : SayVerdict.Deliver(payload)),
        }, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                var reply = await sender.SayAsync(room, "hush");
                WireClient.AssertOk(reply);
                Assert.False(reply.ContainsKey("error"), reply.ToJsonString());
                Assert.True(await sender.IsSilentAsync(), "the sender received the silenced message");
                Assert.True(await tcp.IsSilentAsync(), "the TCP member received the silenced message");
                Assert.True(await ws.IsSilentAsync(), "the websocket member received the silenced message");

                WireClient.AssertOk(await sender.SayAsync(room, "audible"));
                foreach (var member in new[] { sender, tcp, ws })
                    Assert.Equal("audible", (string?)(await member.NextChatAsync())["message"]);
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task Fields_added_by_onSayReceive_should_be_dropped(Transport transport)
    {
        var room = await _node.NewRoomAsync("extra");
        await With(new ChatMiddleware(UniqueName("extra"))
        {
            OnSayReceive = (_, r, payload) =>
            {
                if (r == room)
                {
                    payload["extra"] = "should not travel";
                    payload["cool"] = true;
                    payload["message"] = "seen by hook";
                }
                return ValueTask.FromResult(SayVerdict.Deliver(payload));
            },
        }, async () =>
        {
            await using var sender = await Connect(transport);
            await using var other = await Connect(Other(transport));
            await sender.JoinAsync(room);
            await other.JoinAsync(room);

            WireClient.AssertOk(await sender.SayAsync(room, "original"));
            foreach (var member in new[] { sender, other })
            {
                var chat = await member.NextChatAsync();
                Assert.Equal("seen by hook", (string?)chat["message"]); // the hook did run
                Assert.False(chat.ContainsKey("extra"), chat.ToJsonString());
                Assert.False(chat.ContainsKey("cool"), chat.ToJsonString());
                Assert.Equal(new[] { "context", "from", "message", "room", "sentAt" },
                    chat.Select(p => p.Key).OrderBy(k => k, StringComparer.Ordinal).ToArray());
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_say_hook_should_add_fields_for_each_recipient(Transport transport)
    {
        var room = await _node.NewRoomAsync("cool");
        await With(new ChatMiddleware(UniqueName("cool"))
        {
            Say = (connection, r, payload) =>
            {
                if (r == room)
                {
                    payload["cool"] = true;
                    payload["to"] = connection.Id;
                }
                return ValueTask.FromResult(SayVerdict.Deliver(payload));
            },
        }, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                WireClient.AssertOk(await sender.SayAsync(room, "hi"));
                foreach (var member in new[] { sender, tcp, ws })
                {
                    var chat = await member.NextChatAsync();
                    Assert.Equal("hi", (string?)chat["message"]);
                    Assert.True(chat["cool"] is JsonValue c && c.GetValue<bool>(), chat.ToJsonString());
                    Assert.Equal(await member.IdAsync(), (string?)chat["to"]); // the hook ran for this recipient
                }
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task The_no_echo_say_hook_should_keep_a_message_from_its_sender_only(Transport transport)
    {
        var room = await _node.NewRoomAsync("noecho");
        await With(BuiltInMiddleware.NoEcho(), async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                var senderId = await sender.IdAsync();
                WireClient.AssertOk(await sender.SayAsync(room, "not for me"));
                foreach (var member in new[] { tcp, ws })
                {
                    var chat = await member.NextChatAsync();
                    Assert.Equal("not for me", (string?)chat["message"]);
                    Assert.Equal(senderId, (string?)chat["from"]);
                }
                Assert.True(await sender.IsSilentAsync(), "the sender got its own message back");

                // the sender still receives the others' messages
                var other = transport == Transport.Tcp ? ws : tcp;
                WireClient.AssertOk(await other.SayAsync(room, "for you"));
                Assert.Equal("for you", (string?)(await sender.NextChatAsync())["message"]);
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_say_hook_that_throws_should_cost_only_that_recipient_its_message(Transport transport)
    {
        var room = await _node.NewRoomAsync("boom");
        var victimId = "";
        await With(new ChatMiddleware(UniqueName("throw-say"))
        {
            Say = (connection, r, payload) =>
            {
                if (r == room && connection.Id == Volatile.Read(ref victimId) && (string?)payload["message"] == "boom")
                    throw new InvalidOperationException("say hook exploded");
                return ValueTask.FromResult(SayVerdict.Deliver(payload));
            },
        }, async () =>
        {
            await using var sender = await Connect(transport);
            await using var bystander = await Connect(transport);
            await using var victim = await Connect(Other(transport));
            foreach (var member in new[] { sender, bystander, victim }) await member.JoinAsync(room);
            Volatile.Write(ref victimId, await victim.IdAsync());

            WireClient.AssertOk(await sender.SayAsync(room, "boom"));
            Assert.Equal("boom", (string?)(await sender.NextChatAsync())["message"]);
            Assert.Equal("boom", (string?)(await bystander.NextChatAsync())["message"]);
            Assert.True(await victim.IsSilentAsync(), "the recipient whose say hook threw got the message");

            // the failure cost only that one delivery
            WireClient.AssertOk(await sender.SayAsync(room, "after"));
            Assert.Equal("after", (string?)(await victim.NextChatAsync())["message"]);
            Assert.Equal("after", (string?)(await bystander.NextChatAsync())["message"]);
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_slow_say_hook_should_not_reorder_a_recipients_messages(Transport transport)
    {
        var room = await _node.NewRoomAsync("slowsay");
        await With(new ChatMiddleware(UniqueName("slow-say"))
        {
            // the first message takes longest, the later ones pass at once: order must still hold per recipient
            Say = async (_, r, payload) =>
            {
                if (r == room && (string?)payload["message"] == "1") await Task.Delay(300);
                return SayVerdict.Deliver(payload);
            },
        }, async () =>
        {
            var (sender, tcp, ws) = await ThreeMembersAsync(room, transport);
            await using (sender)
            await using (tcp)
            await using (ws)
            {
                foreach (var m in new[] { "1", "2", "3", "4" }) WireClient.AssertOk(await sender.SayAsync(room, m));
                foreach (var member in new[] { sender, tcp, ws })
                {
                    var got = new List<string?>();
                    for (var i = 0; i < 4; i++) got.Add((string?)(await member.NextChatAsync())["message"]);
                    Assert.Equal(new[] { "1", "2", "3", "4" }, got);
                }
            }
        });
    }

    [Theory]
    [MemberData(nameof(WireClient.Transports), MemberType = typeof(WireClient))]
    public async Task A_refusing_leave_hook_should_not_keep_a_closed_connection_in_the_room(Transport transport)
    {
        var room = await _node.NewRoomAsync("closeleave");
        var leaveCalls = 0;
        await With(new ChatMiddleware(UniqueName("refuse-leave-close"))
        {
            Leave = (_, r) =>
            {
                if (r != room) return ValueTask.FromResult(RoomVerdict.Allow);
                Interlocked.Increment(ref leaveCalls);
                return ValueTask.FromResult(RoomVerdict.Refuse("you may not leave"));
            },
        }, async () =>
        {
            await using var watcher = await Connect(Other(transport));
            await watcher.JoinAsync(room);
            string id;
            await using (var client = await Connect(transport))
            {
                await client.JoinAsync(room);
                id = await client.IdAsync();
                Assert.Equal(2, (await _node.Node.Api.StatusAsync(room)).MembersCount);
            } // the socket closes

            await Eventually.TrueAsync(() => Volatile.Read(ref leaveCalls) >= 1, "the leave hook to run on close");
            var deadline = DateTime.UtcNow + Timeouts.Expect;
            while (true)
            {
                var view = await watcher.RoomViewAsync(room);
                WireClient.AssertOk(view);
                if (!view["data"]!["members"]!.AsObject().ContainsKey(id)) break;
                Assert.True(DateTime.UtcNow < deadline, "the closed connection is still a member: " + view.ToJsonString());
                await Task.Delay(20);
            }
        });
    }

    [Fact]
    public async Task A_say_pipelined_behind_a_slow_join_should_wait_for_the_join()
    {
        var room = await _node.NewRoomAsync("pipelined");
        await With(new ChatMiddleware(UniqueName("slow-join"))
        {
            Join = async (_, r) =>
            {
                if (r == room) await Task.Delay(300);
                return RoomVerdict.Allow;
            },
        }, async () =>
        {
            await using var other = await Connect(Transport.Ws);
            await other.JoinAsync(room);
            await using var tcp = await (await _node.Tcp()).Welcomed();

            await tcp.SendAsync(System.Text.Encoding.UTF8.GetBytes($"roomAdd {room}\nsay {room} right after\n"));
            var joined = await tcp.ReadJsonAsync();
            Assert.Equal("OK", (string?)joined["status"]);
            Assert.True((bool)joined["data"]!, joined.ToJsonString());
            var said = await tcp.ReadUntilAsync(m => (string?)m["context"] == "response");
            Assert.True((string?)said["status"] == "OK", said.ToJsonString());
            Assert.Equal("right after", (string?)(await other.NextChatAsync())["message"]);
        });
    }
}
