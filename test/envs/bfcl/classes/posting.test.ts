import { describe, expect, it } from 'vitest';
import { backend } from '../helpers.js';

const SCENARIO = JSON.stringify({
  username: 'ann',
  password: 'pw',
  tweets: { '0': { id: 0, username: 'ann', content: 'Hello World', tags: ['#Hi'], mentions: [] }, '1': { id: 1, username: 'bo', content: 'other', tags: [], mentions: [] } },
  comments: { '0': [{ username: 'bo', content: 'from config' }] },
  tweet_counter: 2,
});

describe('TwitterAPI', () => {
  it('authenticates against the configured account', () => {
    const t = backend('TwitterAPI', SCENARIO);
    expect(t.run('posting_get_login_status()')).toBe('{"login_status": false}');
    expect(t.run("authenticate_twitter(username='ann', password='no')")).toBe('{"authentication_status": false}');
    expect(t.run("authenticate_twitter(username='ann', password='pw')")).toBe('{"authentication_status": true}');
    expect(t.run('posting_get_login_status()')).toBe('{"login_status": true}');
  });

  it('actions that need authentication say so', () => {
    const t = backend('TwitterAPI', SCENARIO);
    expect(t.run("post_tweet(content='x')")).toBe('{"error": "User not authenticated. Please authenticate before posting."}');
    expect(t.run('retweet(tweet_id=0)')).toBe('{"error": "User not authenticated. Please authenticate before retweeting."}');
    expect(t.run("comment(tweet_id=0, comment_content='c')")).toBe('{"error": "User not authenticated. Please authenticate before commenting."}');
    expect(t.run("follow_user(username_to_follow='x')")).toBe('{"error": "User not authenticated. Please authenticate before following."}');
    expect(t.run("unfollow_user(username_to_unfollow='x')")).toBe('{"error": "User not authenticated. Please authenticate before unfollowing."}');
    expect(t.run('list_all_following()')).toBe('{"error": "User not authenticated. Please authenticate before listing following."}');
  });

  it('post_tweet returns the stored tweet; ids come from the counter', () => {
    const t = backend('TwitterAPI', SCENARIO);
    t.run("authenticate_twitter(username='ann', password='pw')");
    expect(t.run("post_tweet(content='new', tags=['#a'])")).toBe('{"id": 2, "username": "ann", "content": "new", "tags": ["#a"], "mentions": []}');
    expect(t.state('tweet_counter')).toBe('3');
    expect(t.run('get_tweet(tweet_id=2)')).toBe('{"id": 2, "username": "ann", "content": "new", "tags": ["#a"], "mentions": []}');
    expect(t.run("get_tweet(tweet_id='2')")).toBe('{"error": "Tweet with ID 2 not found."}');
  });

  it('retweet, comment and mention', () => {
    const t = backend('TwitterAPI', SCENARIO);
    t.run("authenticate_twitter(username='ann', password='pw')");
    expect(t.run('retweet(tweet_id=1)')).toBe('{"retweet_status": "Successfully retweeted"}');
    expect(t.run('retweet(tweet_id=1)')).toBe('{"retweet_status": "Already retweeted"}');
    expect(t.run('retweet(tweet_id=9)')).toBe('{"error": "Tweet with ID 9 not found."}');
    expect(t.run("comment(tweet_id=0, comment_content='nice')")).toBe('{"comment_status": "Comment added successfully"}');
    // comments from the config stay under string keys, so int lookups miss them
    expect(t.run('get_tweet_comments(tweet_id=0)')).toBe("[{'username': 'ann', 'content': 'nice'}]");
    expect(t.run('get_tweet_comments(tweet_id=1)')).toBe('[]');
    expect(t.run('get_tweet_comments(tweet_id=5)')).toBe('{"error": "Tweet with ID 5 not found."}');
    expect(t.run("mention(tweet_id=1, mentioned_usernames=['@x'])")).toBe('{"mention_status": "Users mentioned successfully"}');
    expect(t.run("mention(tweet_id=7, mentioned_usernames=['@x'])")).toBe('{"error": "Tweet with ID 7 not found."}');
    expect(t.state('retweets')).toBe("{'ann': [1]}");
  });

  it('following, searching and stats', () => {
    const t = backend('TwitterAPI', SCENARIO);
    t.run("authenticate_twitter(username='ann', password='pw')");
    expect(t.run("follow_user(username_to_follow='alice')")).toBe('{"follow_status": false}');
    expect(t.run("follow_user(username_to_follow='zoe')")).toBe('{"follow_status": true}');
    expect(t.run("unfollow_user(username_to_unfollow='bob')")).toBe('{"unfollow_status": true}');
    expect(t.run("unfollow_user(username_to_unfollow='bob')")).toBe('{"unfollow_status": false}');
    expect(t.run('list_all_following()')).toBe('{"following_list": ["alice", "zoe"]}');
    expect(t.run("get_user_tweets(username='bo')")).toBe("[{'id': 1, 'username': 'bo', 'content': 'other', 'tags': [], 'mentions': []}]");
    expect(t.run("search_tweets(keyword='#hi')")).toBe("[{'id': 0, 'username': 'ann', 'content': 'Hello World', 'tags': ['#Hi'], 'mentions': []}]");
    expect(t.run("search_tweets(keyword='WORLD')")).toBe("[{'id': 0, 'username': 'ann', 'content': 'Hello World', 'tags': ['#Hi'], 'mentions': []}]");
    expect(t.run("get_user_stats(username='ann')")).toBe('{"tweet_count": 1, "following_count": 2, "retweet_count": 0}');
    expect(t.run("get_user_stats(username='bo')")).toBe('{"tweet_count": 1, "following_count": 0, "retweet_count": 0}');
  });
});
